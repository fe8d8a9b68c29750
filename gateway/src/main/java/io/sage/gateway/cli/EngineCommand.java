package io.sage.gateway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.sage.client.management.EngineEvent;
import io.sage.client.management.EngineInfo;
import io.sage.client.management.ManagementClient;
import io.sage.client.management.RemoteEngineSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sage llm engine list|show|stop|remove|register|events|logs}; start and restart live in
 * their own classes.
 */
@Command(
    name = "engine",
    mixinStandardHelpOptions = true,
    description = "Launch, inspect and stop inference engines.",
    subcommands = {
      EngineCommand.ListEngines.class,
      EngineStartCommand.class,
      EngineCommand.Stop.class,
      EngineRestartCommand.class,
      EngineCommand.Show.class,
      EngineCommand.Events.class,
      EngineCommand.Logs.class,
      EngineCommand.Register.class,
      EngineCommand.Remove.class
    },
    footer = {
      "",
      "Examples:",
      "  sage llm engine list",
      "  sage llm engine start my-model --runtime mock",
      "  sage llm engine logs eng-0123456789ab -f"
    })
final class EngineCommand {

  @Command(
      name = "list",
      aliases = "ls",
      mixinStandardHelpOptions = true,
      description = "List the engines: state, port, GPUs, requests in flight, restarts.",
      footer = {
        "",
        "Examples:",
        "  sage llm engine list",
        "  sage llm engine list --json | jq -r '.engines[].id'"
      })
  static final class ListEngines implements Callable<Integer> {
    @Mixin ClientOptions client;

    @Override
    public Integer call() {
      JsonNode answer =
          client.call(() -> client.management().raw("GET", "/v1/management/engines", null));
      if (client.json()) {
        client.printJson(answer);
        return SageCli.OK;
      }
      List<EngineInfo> engines = new ArrayList<>();
      answer.path("engines").forEach(e -> engines.add(EngineInfo.fromJson(e)));
      client.print(EngineFormat.list(engines, client.ansi(), Instant.now()));
      return SageCli.OK;
    }
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "Show one engine in detail.",
      footer = {"", "Examples:", "  sage llm engine show eng-0123456789ab"})
  static final class Show implements Callable<Integer> {
    @Mixin ClientOptions client;

    @Parameters(paramLabel = "ID", description = "Engine id.")
    String id;

    @Override
    public Integer call() {
      EngineInfo engine = client.call(() -> client.management().engine(id));
      if (client.json()) {
        client.printJson(engine.raw());
      } else {
        client.print(EngineFormat.details(engine, client.ansi(), Instant.now()));
      }
      return SageCli.OK;
    }
  }

  @Command(
      name = "stop",
      mixinStandardHelpOptions = true,
      description = {
        "Stop an engine and wait until it is STOPPED (its processes gone).",
        "By default it drains first: no new requests, in-flight ones finish (up to the drain timeout)."
      },
      footer = {
        "",
        "Examples:",
        "  sage llm engine stop eng-0123456789ab",
        "  sage llm engine stop eng-0123456789ab --drain-timeout 5",
        "  sage llm engine stop eng-0123456789ab --no-drain"
      })
  static final class Stop implements Callable<Integer> {
    @Mixin ClientOptions client;

    @Parameters(paramLabel = "ID", description = "Engine id.")
    String id;

    @Option(names = "--no-drain", description = "Stop at once, cutting requests in flight.")
    boolean noDrain;

    @Option(
        names = "--drain-timeout",
        paramLabel = "S",
        description = "Seconds to let in-flight requests finish (default: the gateway's, 30).")
    Double drainTimeout;

    @Option(names = "--no-wait", description = "Return once the stop is accepted (DRAINING).")
    boolean noWait;

    @Override
    public Integer call() {
      if (drainTimeout != null && (drainTimeout < 0 || drainTimeout > 3600)) {
        throw new CliException(SageCli.USAGE, "--drain-timeout must be between 0 and 3600 seconds");
      }
      StringBuilder path =
          new StringBuilder(ManagementClient.enginePath(id))
              .append("/stop?drain=")
              .append(!noDrain);
      if (drainTimeout != null) {
        path.append("&drain_timeout=").append(drainTimeout);
      }
      path.append("&wait=").append(!noWait);
      if (!client.json() && !noWait) {
        client
            .out()
            .println((noDrain ? "stopping" : "draining and stopping") + " engine " + id + " ...");
        client.out().flush();
      }
      JsonNode answer = client.call(() -> client.management().raw("POST", path.toString(), null));
      if (client.json()) {
        client.printJson(answer);
        return SageCli.OK;
      }
      EngineInfo engine = EngineInfo.fromJson(answer);
      client
          .out()
          .println(
              "engine "
                  + engine.id()
                  + " ("
                  + engine.model()
                  + ") "
                  + client.ansi().state(engine.state().name()));
      client.out().flush();
      return SageCli.OK;
    }
  }

  @Command(
      name = "events",
      mixinStandardHelpOptions = true,
      description = "Show an engine's state transitions, newest first.",
      footer = {"", "Examples:", "  sage llm engine events eng-0123456789ab"})
  static final class Events implements Callable<Integer> {
    @Mixin ClientOptions client;

    @Parameters(paramLabel = "ID", description = "Engine id.")
    String id;

    @Override
    public Integer call() {
      JsonNode answer =
          client.call(
              () ->
                  client
                      .management()
                      .raw("GET", ManagementClient.enginePath(id) + "/events", null));
      if (client.json()) {
        client.printJson(answer);
        return SageCli.OK;
      }
      List<EngineEvent> events = new ArrayList<>();
      answer.path("events").forEach(e -> events.add(EngineEvent.fromJson(e)));
      client.print(EngineFormat.events(id, events, client.ansi()));
      return SageCli.OK;
    }
  }

  @Command(
      name = "logs",
      mixinStandardHelpOptions = true,
      description = {
        "Show the end of an engine's log (its stdout and stderr).",
        "--json does not apply: logs are text."
      },
      footer = {
        "",
        "Examples:",
        "  sage llm engine logs eng-0123456789ab",
        "  sage llm engine logs eng-0123456789ab -f -n 20"
      })
  static final class Logs implements Callable<Integer> {
    @Mixin ClientOptions client;

    @Parameters(paramLabel = "ID", description = "Engine id.")
    String id;

    @Option(
        names = {"-n", "--lines"},
        paramLabel = "N",
        description = "Lines to show (default 50).")
    int lines = 50;

    @Option(
        names = {"-f", "--follow"},
        description = "Keep printing new lines until Ctrl-C.")
    boolean follow;

    @Override
    public Integer call() throws InterruptedException {
      if (lines < 1 || lines > 10000) {
        throw new CliException(SageCli.USAGE, "-n must be between 1 and 10000");
      }
      if (follow) {
        LogFollow.stream(
            client, ManagementClient.enginePath(id) + "/logs?tail=" + lines + "&follow=true");
        return SageCli.OK;
      }
      ManagementClient management = client.management();
      String text = client.call(() -> management.logs(id, lines));
      client.out().print(text);
      client.out().flush();
      return SageCli.OK;
    }
  }

  @Command(
      name = "register",
      mixinStandardHelpOptions = true,
      description =
          "Register an engine that already runs elsewhere (an OpenAI-compatible server) by URL.",
      footer = {
        "",
        "Examples:",
        "  sage llm engine register Qwen/Qwen2.5-7B-Instruct --url http://10.0.0.5:8001",
        "  sage llm engine register bge-m3 --url http://10.0.0.6:8002 --engine-kind embedding"
      })
  static final class Register implements Callable<Integer> {
    @Mixin ClientOptions client;

    @Parameters(paramLabel = "MODEL", description = "The model name the remote engine serves.")
    String model;

    @Option(
        names = "--url",
        required = true,
        paramLabel = "URL",
        description = "The engine's base URL (http or https).")
    String url;

    @Option(
        names = "--engine-kind",
        paramLabel = "KIND",
        description = "llm (default) or embedding.")
    String engineKind;

    @Option(
        names = "--engine-api-key",
        paramLabel = "KEY",
        description = "Key the gateway sends to the remote engine.")
    String engineApiKey;

    @Override
    public Integer call() {
      RemoteEngineSpec spec;
      try {
        spec = new RemoteEngineSpec(model, url, EngineStartCommand.kind(engineKind), engineApiKey);
      } catch (IllegalArgumentException e) {
        throw new CliException(SageCli.USAGE, e.getMessage());
      }
      JsonNode answer =
          client.call(
              () ->
                  client
                      .management()
                      .raw("POST", "/v1/management/engines/register", spec.toBody()));
      if (client.json()) {
        client.printJson(answer);
        return SageCli.OK;
      }
      EngineInfo engine = EngineInfo.fromJson(answer);
      client
          .out()
          .println(
              "registered engine "
                  + engine.id()
                  + " ("
                  + engine.model()
                  + " at "
                  + engine.baseUrl()
                  + "): "
                  + client.ansi().state(engine.state().name()));
      client.out().flush();
      return SageCli.OK;
    }
  }

  @Command(
      name = "remove",
      aliases = "rm",
      mixinStandardHelpOptions = true,
      description = "Forget a STOPPED or ERROR engine (its events stay in the audit history).",
      footer = {"", "Examples:", "  sage llm engine remove eng-0123456789ab"})
  static final class Remove implements Callable<Integer> {
    @Mixin ClientOptions client;

    @Parameters(paramLabel = "ID", description = "Engine id.")
    String id;

    @Override
    public Integer call() {
      JsonNode answer =
          client.call(
              () ->
                  client
                      .management()
                      .raw("DELETE", ManagementClient.enginePath(id) + "?purge=true", null));
      if (client.json()) {
        client.printJson(answer);
      } else {
        client.out().println("removed engine " + id);
        client.out().flush();
      }
      return SageCli.OK;
    }
  }
}
