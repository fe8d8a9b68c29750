package io.sage.gateway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.sage.client.management.EngineInfo;
import io.sage.client.management.EngineSpec;
import io.sage.client.management.ManagementClient;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sage llm engine start}: launch an engine and, unless {@code --no-wait}, follow it until
 * READY.
 */
@Command(
    name = "start",
    mixinStandardHelpOptions = true,
    description = {
      "Launch an engine and wait until it is READY, showing its state, the time taken and its last log line.",
      "On ERROR it prints the reason and the engine's last log lines and exits 1.",
      "Ctrl-C stops the waiting, not the engine."
    },
    footer = {
      "",
      "Examples:",
      "  sage llm engine start Qwen/Qwen2.5-0.5B-Instruct",
      "  sage llm engine start my-chat --runtime mock --option latency_ms=50 --label demo",
      "  sage llm engine start sentence-transformers/all-MiniLM-L6-v2 --engine-kind embedding",
      "  sage llm engine start meta-llama/Llama-3.1-8B-Instruct --tp 2 --gpu 0,1 --extra-arg=--max-model-len=8192",
      "  id=$(sage llm engine start my-chat --runtime mock --no-wait --json | jq -r .id)"
    })
final class EngineStartCommand implements Callable<Integer> {
  @Mixin ClientOptions client;

  @Parameters(
      paramLabel = "MODEL",
      description = "Model to serve (a Hugging Face id or a local path).")
  String model;

  @Option(names = "--engine-kind", paramLabel = "KIND", description = "llm (default) or embedding.")
  String engineKind;

  @Option(
      names = "--runtime",
      paramLabel = "R",
      description = "Runtime plugin: vllm, embedding, mock (default: by kind).")
  String runtime;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      description = "Port for the engine (default: a free one).")
  Integer port;

  @Option(
      names = "--tp",
      paramLabel = "N",
      description = "Tensor parallel size: GPUs to use (default 1).")
  Integer tp;

  @Option(
      names = "--gpu",
      paramLabel = "IDS",
      split = ",",
      description = "GPU indexes to place it on, e.g. 0,1.")
  List<Integer> gpuIds;

  @Option(names = "--no-gpu", description = "Run without a GPU.")
  boolean noGpu;

  @Option(
      names = "--served-model-name",
      paramLabel = "NAME",
      description = "Name clients use (default: the model).")
  String servedModelName;

  @Option(names = "--label", paramLabel = "L", description = "Free-form label shown in lists.")
  String label;

  @Option(
      names = "--option",
      paramLabel = "K=V",
      description = "Runtime option (repeatable), e.g. latency_ms=50.")
  Map<String, String> options = new LinkedHashMap<>();

  @Option(
      names = "--extra-arg",
      paramLabel = "A",
      description = "Extra engine argument (repeatable, allow-listed).")
  List<String> extraArgs = new ArrayList<>();

  @Option(names = "--no-wait", description = "Return at once with the engine id (state STARTING).")
  boolean noWait;

  @Option(
      names = "--timeout",
      paramLabel = "S",
      description = "Seconds to wait for READY (default 1800).")
  long timeoutSeconds = 1800;

  @Override
  public Integer call() throws InterruptedException {
    EngineSpec spec = spec();
    ManagementClient management = client.management();
    EngineInfo started = client.call(() -> management.start(spec).started());
    return follow(
        client, management, started, noWait, Duration.ofSeconds(timeoutSeconds), "started");
  }

  EngineSpec spec() {
    if (noGpu && gpuIds != null) {
      throw new CliException(SageCli.USAGE, "--gpu and --no-gpu exclude each other");
    }
    try {
      EngineSpec.Builder builder =
          EngineSpec.builder(model)
              .engineKind(kind(engineKind))
              .runtime(runtime)
              .port(port)
              .tensorParallelSize(tp)
              .gpuIds(gpuIds)
              .useGpu(noGpu ? Boolean.FALSE : null)
              .servedModelName(servedModelName)
              .label(label)
              .extraArgs(extraArgs.isEmpty() ? null : extraArgs);
      // option values go as strings; the gateway parses numbers and booleans per runtime
      options.forEach(builder::option);
      return builder.build();
    } catch (IllegalArgumentException e) {
      throw new CliException(SageCli.USAGE, e.getMessage());
    }
  }

  static String kind(String engineKind) {
    if (engineKind != null && !engineKind.equals("llm") && !engineKind.equals("embedding")) {
      throw new CliException(
          SageCli.USAGE, "--engine-kind must be llm or embedding, got '" + engineKind + "'");
    }
    return engineKind;
  }

  /** Prints the accepted engine and, unless told not to, waits for READY; shared with restart. */
  static int follow(
      ClientOptions client,
      ManagementClient management,
      EngineInfo started,
      boolean noWait,
      Duration timeout,
      String verb)
      throws InterruptedException {
    PrintWriter out = client.out();
    if (noWait) {
      if (client.json()) {
        client.printJson(started.raw());
      } else {
        out.println(
            verb
                + " engine "
                + started.id()
                + " ("
                + started.model()
                + ", runtime "
                + started.runtime()
                + "): "
                + client.ansi().state(started.state().name()));
        out.println("follow it with: sage llm engine show " + started.id());
        out.flush();
      }
      return SageCli.OK;
    }
    if (!client.json()) {
      out.println(
          verb
              + " engine "
              + started.id()
              + " ("
              + started.model()
              + ", runtime "
              + started.runtime()
              + "); waiting for READY (Ctrl-C stops waiting, not the engine)");
      out.flush();
    }
    CliEnvironment environment = client.environment();
    ProgressLine progress =
        client.json()
            ? new ProgressLine(new PrintWriter(OutputStream.nullOutputStream()), false, 0)
            : new ProgressLine(out, environment.interactive(), environment.columns());
    EngineWait wait = new EngineWait(client, management, progress, Duration.ofMillis(500));
    Thread onInterrupt =
        new Thread(
            () -> {
              progress.finish();
              client
                  .err()
                  .println(
                      "stopped waiting; engine "
                          + started.id()
                          + " keeps going: sage llm engine show "
                          + started.id());
              client.err().flush();
            },
            "sage-stop-waiting");
    Runtime.getRuntime().addShutdownHook(onInterrupt);
    long begin = System.nanoTime();
    EngineInfo ready;
    try {
      ready = wait.await(started.id(), timeout);
    } catch (CliException failed) {
      if (client.json()) {
        JsonNode last = client.call(() -> management.engine(started.id())).raw();
        client.printJson(last);
      }
      throw failed;
    } finally {
      removeHook(onInterrupt);
    }
    if (client.json()) {
      client.printJson(ready.raw());
    } else {
      out.println(
          "engine "
              + ready.id()
              + " "
              + client.ansi().state("READY")
              + " after "
              + EngineFormat.elapsed(Duration.ofNanos(System.nanoTime() - begin)));
      client.print(EngineFormat.details(ready, client.ansi(), Instant.now()));
    }
    return SageCli.OK;
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the JVM is exiting (Ctrl-C): the hook runs and says why
    }
  }
}
