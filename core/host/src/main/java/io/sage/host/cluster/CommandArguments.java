package io.sage.host.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sage.host.management.StartRequest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The arguments of a command as the JSON stored with it: a start's whole request, a stop's drain
 * and drain timeout. A private mapper, so no HTTP setting changes what is stored.
 */
public final class CommandArguments {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** How a stop should go. */
  public record Stop(boolean drain, Duration drainTimeout) {}

  private CommandArguments() {}

  public static String start(StartRequest request) {
    return write(request);
  }

  public static StartRequest start(String json) {
    try {
      return JSON.readValue(json, StartRequest.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("a start command's request is unreadable: " + e, e);
    }
  }

  public static String stop(boolean drain, Duration drainTimeout) {
    Map<String, Object> args = new LinkedHashMap<>();
    args.put("drain", drain);
    args.put("drain_timeout_ms", drainTimeout.toMillis());
    return write(args);
  }

  public static Stop stop(String json) {
    try {
      Map<?, ?> args = JSON.readValue(json, Map.class);
      return new Stop(
          Boolean.TRUE.equals(args.get("drain")),
          Duration.ofMillis(((Number) args.get("drain_timeout_ms")).longValue()));
    } catch (JsonProcessingException | RuntimeException e) {
      throw new IllegalArgumentException("a stop command's arguments are unreadable: " + e, e);
    }
  }

  /** No arguments: {@code {}}. */
  public static String none() {
    return "{}";
  }

  private static String write(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot write a command's arguments: " + e, e);
    }
  }
}
