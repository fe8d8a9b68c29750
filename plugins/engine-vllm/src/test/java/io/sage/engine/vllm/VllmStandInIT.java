package io.sage.engine.vllm;

import static org.assertj.core.api.Assertions.assertThat;

import io.sage.spi.engine.EngineKind;
import io.sage.spi.engine.EngineSpec;
import io.sage.spi.engine.LaunchCommand;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Launches the vLLM runtime's command for real against a stand-in {@code vllm} executable that
 * records its argv and environment and then serves like vLLM would, so the test sees what an actual
 * vLLM would have been given and that the engine key guards it.
 */
class VllmStandInIT {
  private static final String KEY = "sk-engine-7f3a";

  @TempDir Path dir;
  private Process process;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @AfterEach
  void stop() throws InterruptedException {
    if (process != null) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly().waitFor();
    }
  }

  @Test
  void launchesVllmWithTheExactArgvEnvironmentPortAndKey() throws Exception {
    Path standIn = writeStandIn();
    int port = freePort();
    EngineSpec spec =
        new EngineSpec(
            "meta-llama/Llama-3.1-8B-Instruct",
            "llama-8b",
            EngineKind.LLM,
            "vllm",
            port,
            2,
            List.of(),
            true,
            null,
            List.of("--max-model-len=4096", "--enforce-eager"),
            Map.of("vllm_command", standIn.toString(), "gpu_memory_utilization", "0.5"));
    Path work = Files.createDirectories(dir.resolve("work"));
    FakeEngineContext context =
        new FakeEngineContext("engine-42", spec, "127.0.0.1", port, List.of(1, 3), work, KEY);

    LaunchCommand command = new VllmEngineRuntimeFactory().create(context).launchCommand();
    ProcessBuilder builder =
        new ProcessBuilder(command.argv())
            .directory(command.workingDirectory().toFile())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("engine.log").toFile());
    builder.environment().putAll(command.environment());
    process = builder.start();
    awaitHealth(port);

    assertThat(Files.readAllLines(dir.resolve("argv.txt")))
        .containsExactly(
            "serve",
            "meta-llama/Llama-3.1-8B-Instruct",
            "--host",
            "127.0.0.1",
            "--port",
            Integer.toString(port),
            "--served-model-name",
            "llama-8b",
            "--tensor-parallel-size",
            "2",
            "--gpu-memory-utilization",
            "0.5",
            "--max-model-len=4096",
            "--enforce-eager");
    assertThat(Files.readAllLines(dir.resolve("env.txt"))).contains("CUDA_VISIBLE_DEVICES=1,3");
    assertThat(Files.readString(dir.resolve("cwd.txt")).trim()).isEqualTo(work.toString());

    assertThat(get(port, "/v1/models", null).statusCode()).isEqualTo(401);
    assertThat(get(port, "/v1/models", "wrong-key").statusCode()).isEqualTo(401);
    HttpResponse<String> models = get(port, "/v1/models", KEY);
    assertThat(models.statusCode()).isEqualTo(200);
    assertThat(models.body()).contains("\"id\":\"llama-8b\"");
  }

  /** A shell script standing in for vLLM (the runtime itself never uses a shell). */
  private Path writeStandIn() throws Exception {
    Path classes =
        Path.of(
            StandInVllmServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    String script =
        "#!/bin/bash\n"
            + "printf '%s\\n' \"$@\" > "
            + quoted(dir.resolve("argv.txt"))
            + "\n"
            + "env > "
            + quoted(dir.resolve("env.txt"))
            + "\n"
            + "pwd > "
            + quoted(dir.resolve("cwd.txt"))
            + "\n"
            + "exec "
            + quoted(java)
            + " -Xshare:auto -XX:TieredStopAtLevel=1 -cp "
            + quoted(classes)
            + " "
            + StandInVllmServer.class.getName()
            + " \"$@\"\n";
    Path standIn = dir.resolve("bin/vllm");
    Files.createDirectories(standIn.getParent());
    Files.writeString(standIn, script);
    Files.setPosixFilePermissions(standIn, PosixFilePermissions.fromString("rwx------"));
    return standIn;
  }

  private static String quoted(Path path) {
    return "'" + path.toString().replace("'", "'\\''") + "'";
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private void awaitHealth(int port) throws Exception {
    Instant deadline = Instant.now().plusSeconds(30);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new AssertionError(
            "stand-in exited with "
                + process.exitValue()
                + ": "
                + Files.readString(dir.resolve("engine.log")));
      }
      try {
        if (get(port, "/health", null).statusCode() == 200) {
          return;
        }
      } catch (ConnectException notYet) {
        // the child JVM is still starting
      }
      Thread.sleep(100);
    }
    throw new AssertionError("stand-in did not answer /health on port " + port);
  }

  private HttpResponse<String> get(int port, String path, String key) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(5));
    if (key != null) {
      request.header("Authorization", "Bearer " + key);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
