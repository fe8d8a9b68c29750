package io.sage.testkit.engine;

import io.sage.spi.engine.EngineContext;
import io.sage.spi.engine.LaunchCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An engine process started by a test from a runtime's {@link LaunchCommand}, the way the host
 * starts it: argv, extra environment, working directory, output to a log file in the work
 * directory. {@link #close()} stops it and everything it started.
 */
public final class LaunchedEngine implements AutoCloseable {
  private static final Duration POLL = Duration.ofMillis(50);
  private static final Duration STOP_GRACE = Duration.ofSeconds(10);

  private final String engineId;
  private final Process process;
  private final Path logFile;
  private final URI baseUri;
  private final HttpClient http;

  private LaunchedEngine(String engineId, Process process, Path logFile, URI baseUri) {
    this.engineId = engineId;
    this.process = process;
    this.logFile = logFile;
    this.baseUri = baseUri;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
  }

  /** Starts the process without waiting for it to answer. */
  public static LaunchedEngine launch(EngineContext context, LaunchCommand command) {
    Path logFile = context.workDirectory().resolve(context.engineId() + ".log");
    try {
      Files.createDirectories(context.workDirectory());
      ProcessBuilder builder =
          new ProcessBuilder(command.argv())
              .directory(command.workingDirectory().toFile())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
      builder.environment().putAll(command.environment());
      URI baseUri = URI.create("http://" + context.host() + ":" + context.port());
      return new LaunchedEngine(context.engineId(), builder.start(), logFile, baseUri);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "engine " + context.engineId() + ": cannot start " + command.argv(), e);
    }
  }

  /** Starts the process and waits until {@code healthPath} answers 200. */
  public static LaunchedEngine start(
      EngineContext context, LaunchCommand command, String healthPath, Duration timeout) {
    LaunchedEngine engine = launch(context, command);
    try {
      engine.awaitHealthy(healthPath, timeout);
      return engine;
    } catch (RuntimeException | Error e) {
      engine.stop();
      throw e;
    }
  }

  /**
   * Polls {@code GET healthPath} until it answers 200; fails with the log's tail when the process
   * exits first or the timeout passes.
   */
  public void awaitHealthy(String healthPath, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "no answer yet";
    while (System.nanoTime() - deadline < 0) {
      if (!process.isAlive()) {
        throw new AssertionError(
            "engine "
                + engineId
                + " exited with code "
                + process.exitValue()
                + " before it became healthy; log tail:\n"
                + logTail(20));
      }
      try {
        HttpResponse<String> response = get(healthPath, Duration.ofSeconds(1));
        if (response.statusCode() == 200) {
          return;
        }
        last = "status " + response.statusCode();
      } catch (IOException e) {
        last = e.toString();
      }
      sleep(POLL);
    }
    throw new AssertionError(
        "engine "
            + engineId
            + " not healthy after "
            + timeout
            + " (last: "
            + last
            + "); log tail:\n"
            + logTail(20));
  }

  /** Waits until the log contains {@code text}; fails with the log's tail after the timeout. */
  public void awaitLog(String text, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() - deadline < 0) {
      if (log().contains(text)) {
        return;
      }
      sleep(POLL);
    }
    throw new AssertionError(
        "engine "
            + engineId
            + ": '"
            + text
            + "' not logged within "
            + timeout
            + "; log tail:\n"
            + logTail(20));
  }

  /** Waits for the process to exit and returns its exit code; fails after the timeout. */
  public int awaitExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError(
            "engine "
                + engineId
                + " still running after "
                + timeout
                + "; log tail:\n"
                + logTail(20));
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted waiting for engine " + engineId, e);
    }
  }

  public String engineId() {
    return engineId;
  }

  public Process process() {
    return process;
  }

  public Path logFile() {
    return logFile;
  }

  /** The engine's URI for {@code path} (which starts with '/'). */
  public URI uri(String path) {
    return baseUri.resolve(path);
  }

  /** The whole log so far. */
  public String log() {
    try {
      return Files.exists(logFile) ? Files.readString(logFile, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the log of engine " + engineId, e);
    }
  }

  /** The last {@code lines} lines of the log. */
  public String logTail(int lines) {
    List<String> all = log().lines().toList();
    return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
  }

  /** {@code GET path} with the given header name/value pairs. */
  public HttpResponse<String> get(String path, Duration timeout, String... headers)
      throws IOException {
    return send(request(path, timeout, headers).GET().build());
  }

  /** {@code POST path} with a JSON body and the given header name/value pairs. */
  public HttpResponse<String> post(String path, String json, Duration timeout, String... headers)
      throws IOException {
    return send(
        request(path, timeout, headers)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build());
  }

  /** The client the helpers use (HTTP/1.1), for requests they do not cover, e.g. streams. */
  public HttpClient http() {
    return http;
  }

  private HttpRequest.Builder request(String path, Duration timeout, String... headers) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(uri(path)).timeout(timeout);
    if (headers.length > 0) {
      builder.headers(headers);
    }
    return builder;
  }

  private HttpResponse<String> send(HttpRequest request) throws IOException {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted calling engine " + engineId, e);
    }
  }

  /**
   * Stops the process and all its descendants: SIGTERM, up to 10 s, then SIGKILL. Returns the
   * processes that were stopped (the engine first), all verified gone.
   */
  public List<ProcessHandle> stop() {
    List<ProcessHandle> all = new ArrayList<>();
    all.add(process.toHandle());
    all.addAll(process.descendants().toList());
    all.forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + STOP_GRACE.toNanos();
    for (ProcessHandle handle : all) {
      long left = Math.max(0, deadline - System.nanoTime());
      try {
        handle.onExit().get(left, TimeUnit.NANOSECONDS);
      } catch (TimeoutException | ExecutionException e) {
        handle.destroyForcibly();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        handle.destroyForcibly();
      }
    }
    for (ProcessHandle handle : all) {
      try {
        handle.onExit().get(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException | ExecutionException | InterruptedException e) {
        throw new AssertionError(
            "engine " + engineId + ": process " + handle.pid() + " survived SIGKILL", e);
      }
    }
    return all;
  }

  @Override
  public void close() {
    stop();
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
