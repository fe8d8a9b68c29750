package io.sage.client.management;

import com.fasterxml.jackson.databind.JsonNode;
import io.sage.client.GatewayTransport;
import io.sage.client.SageClientException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The gateway's management API ({@code /v1/management}, docs/spec.md §5.2). Needs an admin API key
 * once the gateway has keys. The CLI is built on this class; {@link #raw}, {@link #text} and {@link
 * #lines} reach routes without a typed method.
 */
public final class ManagementClient {

  private static final String BASE = "/v1/management";

  private final GatewayTransport transport;
  private final Duration pollInterval;

  public ManagementClient(GatewayTransport transport, Duration pollInterval) {
    this.transport = Objects.requireNonNull(transport, "transport");
    this.pollInterval = Objects.requireNonNull(pollInterval, "pollInterval");
  }

  public List<EngineInfo> engines() {
    return list(raw("GET", BASE + "/engines", null).path("engines"), EngineInfo::fromJson);
  }

  /** One engine; a 404 {@link SageClientException} when the gateway does not know it. */
  public EngineInfo engine(String id) {
    return engineFrom(raw("GET", enginePath(id), null));
  }

  /** Launches an engine and returns at once (the engine is STARTING); see {@link EngineHandle}. */
  public EngineHandle start(EngineSpec spec) {
    EngineInfo info = engineFrom(raw("POST", BASE + "/engines", spec.toBody()));
    return new EngineHandle(this, info, pollInterval);
  }

  public EngineInfo stop(String id, boolean drain) {
    return engineFrom(raw("POST", enginePath(id) + "/stop?drain=" + drain, null));
  }

  /** Stops gracefully, forcing the stop once {@code drainTimeout} passes. */
  public EngineInfo stop(String id, Duration drainTimeout) {
    return engineFrom(
        raw(
            "POST",
            enginePath(id)
                + "/stop?drain=true&drain_timeout="
                + Math.max(0, drainTimeout.toSeconds()),
            null));
  }

  public EngineInfo restart(String id) {
    return engineFrom(raw("POST", enginePath(id) + "/restart", null));
  }

  /** Forgets a STOPPED or ERROR engine (its events stay). */
  public void remove(String id) {
    raw("DELETE", enginePath(id) + "?purge=true", null);
  }

  public EngineInfo register(RemoteEngineSpec remote) {
    return engineFrom(raw("POST", BASE + "/engines/register", remote.toBody()));
  }

  public EngineInfo register(String model, String baseUrl, String engineKind, String apiKey) {
    return register(new RemoteEngineSpec(model, baseUrl, engineKind, apiKey));
  }

  /** The engine's transitions, newest first. */
  public List<EngineEvent> events(String id) {
    return list(raw("GET", enginePath(id) + "/events", null).path("events"), EngineEvent::fromJson);
  }

  /** The last {@code tail} lines of the engine's log. */
  public String logs(String id, int tail) {
    return text(enginePath(id) + "/logs?tail=" + tail);
  }

  public JsonNode backends() {
    return raw("GET", BASE + "/backends", null);
  }

  public JsonNode gpu() {
    return raw("GET", BASE + "/gpu", null);
  }

  public JsonNode status() {
    return raw("GET", BASE + "/status", null);
  }

  /**
   * The gateways sharing this gateway's database, each with its state ({@code up}/{@code lost}).
   */
  public JsonNode nodes() {
    return raw("GET", BASE + "/nodes", null);
  }

  public JsonNode plugins() {
    return raw("GET", BASE + "/plugins", null);
  }

  public List<AuditEntry> audit(AuditFilter filter) {
    return list(
        raw("GET", BASE + "/audit" + filter.toQuery(), null).path("entries"), AuditEntry::fromJson);
  }

  /**
   * Any JSON route: {@code path} is absolute from the gateway root (e.g. {@code
   * /v1/management/status}); {@code body} is written as JSON (null for none).
   *
   * @throws SageClientException with status, code and message when the gateway answers an error
   */
  public JsonNode raw(String method, String path, Object body) {
    return transport.json(method, path, body);
  }

  /** Any text route (logs), absolute path. */
  public String text(String path) {
    return transport.text(path);
  }

  /** A long-lived text or SSE route (log follow) as lines; close the stream to disconnect. */
  public Stream<String> lines(String path) {
    return transport.lines(path);
  }

  /** The path of one engine, its id encoded, e.g. for {@link #lines} on its logs. */
  public static String enginePath(String id) {
    Objects.requireNonNull(id, "engine id");
    return BASE + "/engines/" + URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static EngineInfo engineFrom(JsonNode json) {
    JsonNode engine =
        json.has("engine") && json.get("engine").isObject() ? json.get("engine") : json;
    try {
      return EngineInfo.fromJson(engine);
    } catch (IllegalArgumentException malformed) {
      throw new SageClientException(
          "api_error",
          "bad_engine_answer",
          "gateway answered no engine: " + malformed.getMessage(),
          malformed);
    }
  }

  private static <T> List<T> list(JsonNode items, Function<JsonNode, T> read) {
    List<T> values = new ArrayList<>();
    for (JsonNode item : items) {
      values.add(read.apply(item));
    }
    return values;
  }
}
