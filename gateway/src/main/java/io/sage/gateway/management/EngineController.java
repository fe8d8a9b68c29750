package io.sage.gateway.management;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.sage.gateway.json.JsonBody;
import io.sage.gateway.security.Actors;
import io.sage.host.Cluster;
import io.sage.host.ControlPlane;
import io.sage.host.EngineSnapshot;
import io.sage.host.cluster.ClusterEngine;
import io.sage.host.cluster.EngineCommand;
import io.sage.host.engine.EngineState;
import io.sage.host.management.RegisterRequest;
import io.sage.host.management.StartRequest;
import io.sage.spi.SageException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Engine management routes (docs/spec.md §5.2): thin parsing in front of the {@link ControlPlane}.
 */
@Controller("/v1/management/engines")
@ExecuteOn(TaskExecutors.BLOCKING)
class EngineController {
  private static final Duration WAIT_LIMIT = Duration.ofMinutes(20);
  private final ControlPlane controlPlane;
  private final Cluster cluster;
  private final RemoteEngines remote;

  EngineController(ControlPlane controlPlane, Cluster cluster) {
    this.controlPlane = controlPlane;
    this.cluster = cluster;
    this.remote = new RemoteEngines(cluster, controlPlane);
  }

  @Get
  Map<String, Object> list() {
    List<Map<String, Object>> engines =
        controlPlane.clusterEngines().stream().map(e -> EngineViews.info(e, controlPlane)).toList();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("engines", engines);
    body.put("count", engines.size());
    return body;
  }

  @Get("/{id}")
  Map<String, Object> get(@PathVariable String id) {
    if (controlPlane.findEngine(id).isEmpty() && cluster.elsewhere(id).isPresent()) {
      return remote.view(id);
    }
    EngineSnapshot entry = controlPlane.clusterEngine(id);
    Map<String, Object> view = new java.util.LinkedHashMap<>(EngineViews.info(entry, controlPlane));
    // start progress: a vLLM engine can take minutes to load; its last line says where it is
    view.put("last_log_line", masked(entry, controlPlane.lastLogLine(id)));
    return view;
  }

  /** Engines may print their own command line (vLLM logs its args): never show the engine key. */
  private static String masked(EngineSnapshot entry, String text) {
    String key = entry.record().engineApiKey();
    return key == null || key.isEmpty() ? text : text.replace(key, "****");
  }

  @Post(consumes = MediaType.ALL)
  HttpResponse<?> start(
      @Body @Nullable byte[] body, @QueryValue(defaultValue = "false") String wait) {
    return launch(body, wait);
  }

  @Post(value = "/start", consumes = MediaType.ALL)
  HttpResponse<?> startAlias(
      @Body @Nullable byte[] body, @QueryValue(defaultValue = "false") String wait) {
    return launch(body, wait);
  }

  private HttpResponse<?> launch(byte[] raw, String wait) {
    boolean waitForReady = flag("wait", wait);
    JsonBody body = JsonBody.parse(raw, false);
    String model = body.string("model");
    String modelId = body.string("model_id");
    StartRequest request =
        new StartRequest(
            model != null ? model : modelId,
            body.string("engine_kind"),
            body.string("runtime"),
            body.integer("port"),
            body.integer("tensor_parallel_size"),
            body.integers("gpu_ids"),
            body.bool("use_gpu"),
            body.string("served_model_name"),
            body.string("label"),
            body.strings("extra_args"),
            body.scalarMap("options"));
    String node = body.string("node");
    body.throwIfInvalid();
    // another node named, or several up and the leader to choose: handed over through the store
    Optional<EngineCommand> handOff = cluster.placeStart(request, node, Actors.current());
    if (handOff.isPresent()) {
      return remote.started(handOff.get(), waitForReady, WAIT_LIMIT);
    }
    EngineSnapshot entry = controlPlane.startEngine(request, Actors.current());
    if (waitForReady) {
      await(
          entry.id(),
          s -> s == EngineState.READY || s == EngineState.ERROR || s == EngineState.STOPPED);
      return HttpResponse.ok(info(entry.id()));
    }
    return HttpResponse.status(HttpStatus.ACCEPTED).body(EngineViews.info(entry, controlPlane));
  }

  @Post(value = "/register", consumes = MediaType.ALL)
  HttpResponse<?> register(@Body @Nullable byte[] raw) {
    JsonBody body = JsonBody.parse(raw, false);
    RegisterRequest request =
        new RegisterRequest(
            body.string("model"),
            body.string("base_url"),
            body.string("engine_kind"),
            body.string("api_key"),
            body.string("label"));
    body.throwIfInvalid();
    EngineSnapshot entry = controlPlane.registerEngine(request, Actors.current());
    return HttpResponse.status(HttpStatus.CREATED).body(EngineViews.info(entry, controlPlane));
  }

  @Post(value = "/{id}/stop", consumes = MediaType.ALL)
  HttpResponse<?> stop(
      @PathVariable String id,
      @Body @Nullable byte[] raw,
      @QueryValue(defaultValue = "true") String drain,
      @QueryValue(value = "drain_timeout", defaultValue = "") String drainTimeout,
      @QueryValue(defaultValue = "false") String wait) {
    JsonBody.parse(raw, true).throwIfInvalid();
    return doStop(id, drain, drainTimeout, wait);
  }

  @Delete("/{id}")
  HttpResponse<?> delete(
      @PathVariable String id,
      @QueryValue(defaultValue = "true") String drain,
      @QueryValue(value = "drain_timeout", defaultValue = "") String drainTimeout,
      @QueryValue(defaultValue = "false") String purge,
      @QueryValue(defaultValue = "false") String wait) {
    if (flag("purge", purge)) {
      Optional<ClusterEngine> elsewhere = cluster.elsewhere(id);
      if (elsewhere.isPresent()) {
        return remote.act(cluster.remove(elsewhere.get(), Actors.current()), true, WAIT_LIMIT);
      }
      Map<String, Object> last = info(id);
      controlPlane.removeEngine(id, Actors.current());
      last.put("purged", true);
      return HttpResponse.ok(last);
    }
    return doStop(id, drain, drainTimeout, wait);
  }

  private HttpResponse<?> doStop(String id, String drain, String drainTimeout, String wait) {
    Duration timeout =
        drainTimeout.isEmpty()
            ? controlPlane.supervisionConfig().drainTimeout()
            : seconds("drain_timeout", drainTimeout);
    Optional<ClusterEngine> elsewhere = cluster.elsewhere(id);
    if (elsewhere.isPresent()) {
      boolean draining = flag("drain", drain);
      boolean waiting = flag("wait", wait);
      EngineCommand command = cluster.stop(elsewhere.get(), draining, timeout, Actors.current());
      return remote.act(command, waiting, timeout.plusSeconds(60));
    }
    CompletableFuture<?> stopped =
        controlPlane.stopEngine(id, flag("drain", drain), timeout, Actors.current());
    if (flag("wait", wait)) {
      try {
        stopped.get(timeout.toSeconds() + 60, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new SageException(
            io.sage.spi.ErrorCode.INTERNAL,
            "engine " + id + " did not stop in time: " + e.getMessage());
      }
      return HttpResponse.ok(info(id));
    }
    return HttpResponse.status(HttpStatus.ACCEPTED).body(info(id));
  }

  @Post(value = "/{id}/restart", consumes = MediaType.ALL)
  HttpResponse<?> restart(
      @PathVariable String id,
      @Body @Nullable byte[] raw,
      @QueryValue(defaultValue = "false") String wait) {
    JsonBody.parse(raw, true).throwIfInvalid();
    Optional<ClusterEngine> elsewhere = cluster.elsewhere(id);
    if (elsewhere.isPresent()) {
      boolean waiting = flag("wait", wait);
      EngineCommand command = cluster.restart(elsewhere.get(), Actors.current());
      return remote.restarted(command, waiting, WAIT_LIMIT);
    }
    controlPlane.restartEngine(id, Actors.current());
    if (flag("wait", wait)) {
      await(id, s -> s == EngineState.READY || s == EngineState.ERROR);
      return HttpResponse.ok(info(id));
    }
    return HttpResponse.status(HttpStatus.ACCEPTED).body(info(id));
  }

  @Get("/{id}/events")
  Map<String, Object> events(
      @PathVariable String id, @QueryValue(defaultValue = "100") String limit) {
    int n = boundedInt("limit", limit, 1, 1000);
    boolean local = controlPlane.findEngine(id).isPresent() || cluster.elsewhere(id).isEmpty();
    List<Map<String, Object>> events =
        (local ? controlPlane.events(id, n) : cluster.events(id, n))
            .stream().map(EngineViews::event).toList();
    return Map.of("engine_id", id, "events", events, "count", events.size());
  }

  @Get(value = "/{id}/logs", produces = MediaType.TEXT_PLAIN)
  HttpResponse<?> logs(
      @PathVariable String id,
      @QueryValue(defaultValue = "100") String tail,
      @QueryValue(defaultValue = "false") String follow) {
    EngineSnapshot entry = controlPlane.engine(id);
    int n = boundedInt("tail", tail, 1, 10000);
    List<String> lines = controlPlane.logTail(id, n);
    if (flag("follow", follow)) {
      return HttpResponse.ok()
          .contentType(MediaType.TEXT_PLAIN_TYPE)
          .header("Cache-Control", "no-cache")
          .body(LogFollower.follow(controlPlane.logFile(id), lines, text -> masked(entry, text)));
    }
    String text = lines.isEmpty() ? "" : String.join("\n", lines) + "\n";
    return HttpResponse.ok(masked(entry, text)).contentType(MediaType.TEXT_PLAIN_TYPE);
  }

  /** The engine as it is now. */
  private Map<String, Object> info(String id) {
    return EngineViews.info(controlPlane.engine(id), controlPlane);
  }

  private void await(String id, java.util.function.Predicate<EngineState> target) {
    try {
      controlPlane.awaitState(id, target).get(WAIT_LIMIT.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      // answer with the current state; the caller sees it is not settled
    }
  }

  static boolean flag(String name, String value) {
    return switch (value.toLowerCase(java.util.Locale.ROOT)) {
      case "true", "1", "yes" -> true;
      case "false", "0", "no" -> false;
      default ->
          throw SageException.invalid(name, name + " must be true or false, got '" + value + "'");
    };
  }

  static Duration seconds(String name, String value) {
    try {
      double seconds = Double.parseDouble(value);
      if (seconds < 0 || seconds > 3600 || Double.isNaN(seconds)) {
        throw SageException.invalid(name, name + " must be between 0 and 3600 seconds");
      }
      return Duration.ofMillis((long) (seconds * 1000));
    } catch (NumberFormatException e) {
      throw SageException.invalid(name, name + " must be a number of seconds, got '" + value + "'");
    }
  }

  static int boundedInt(String name, String value, int min, int max) {
    try {
      int n = Integer.parseInt(value);
      if (n < min || n > max) {
        throw SageException.invalid(name, name + " must be between " + min + " and " + max);
      }
      return n;
    } catch (NumberFormatException e) {
      throw SageException.invalid(name, name + " must be an integer, got '" + value + "'");
    }
  }
}
