package io.sage.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A mock engine the test runs itself (not launched by the gateway), so the test can ask it directly
 * and register it with a gateway as a remote engine. Closing it kills the process.
 */
final class DirectMock implements AutoCloseable {
  private final Process process;
  private final String base;

  private DirectMock(Process process, String base) {
    this.process = process;
    this.base = base;
  }

  /** Starts an {@code llm} mock serving {@code model}, its output in {@code log}; waits for it. */
  static DirectMock start(String model, Path log) throws IOException {
    int port = Ports.free();
    Process process =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                Sage.pluginsDir().resolve("sage-engine-mock.jar").toString(),
                "io.sage.engine.mock.MockEngineMain",
                "--host",
                "127.0.0.1",
                "--port",
                Integer.toString(port),
                "--model",
                model,
                "--kind",
                "llm")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    DirectMock mock = new DirectMock(process, "http://127.0.0.1:" + port);
    try {
      Await.until(
          "the directly started mock to answer /health",
          Duration.ofSeconds(20),
          () -> {
            try {
              return Http.get(mock.base + "/health").status() == 200;
            } catch (IllegalStateException notYet) {
              return false;
            }
          });
    } catch (RuntimeException | Error e) {
      mock.close();
      throw e;
    }
    return mock;
  }

  /** {@code http://127.0.0.1:PORT}, without {@code /v1}. */
  String base() {
    return base;
  }

  /**
   * Registers it with {@code gateway} as a remote engine for {@code model}; READY when returned.
   */
  String registerWith(Gateway gateway, String model) {
    Http.Response reg =
        gateway.post(
            "/v1/management/engines/register",
            "{\"model\":\""
                + model
                + "\",\"base_url\":\""
                + base
                + "/v1\",\"engine_kind\":\"llm\"}");
    assertThat(reg.status()).as(reg.body()).isEqualTo(201);
    String id = reg.json().get("id").asText();
    gateway.awaitState(id, "READY", Duration.ofSeconds(20));
    return id;
  }

  @Override
  public void close() {
    try {
      process.destroyForcibly().waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
