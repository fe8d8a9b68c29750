package io.sage.gateway.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.sage.client.GatewayTransport;
import io.sage.client.RetryPolicy;
import io.sage.client.SageClientException;
import io.sage.client.management.ManagementClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The options every command that talks to a running gateway shares: where it is, the key, the data
 * dir (for the local admin key file) and {@code --json}. Also turns client failures into the CLI's
 * exit codes: 3 when the gateway cannot be reached, 1 when it answered an error.
 */
final class ClientOptions {
  static final String ADMIN_KEY_FILE = "admin.key";
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);

  /**
   * Long enough for the gateway's own bounded waits (stop with wait=true: drain timeout + 60 s).
   */
  private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(70);

  private final CliEnvironment environment;

  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

  @Option(
      names = "--gateway",
      paramLabel = "URL",
      description =
          "Gateway URL (default: $SAGE_GATEWAY_URL, else " + CliEnvironment.DEFAULT_GATEWAY + ").")
  String gateway;

  @Option(
      names = "--api-key",
      paramLabel = "KEY",
      description =
          "Admin API key (default: $SAGE_API_KEY, else <data-dir>/admin.key when present).")
  String apiKey;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = "Data dir holding admin.key (default: $SAGE_HOME, else ~/.sage).")
  String dataDir;

  @Option(names = "--json", description = "Print the gateway's JSON answer instead of a table.")
  boolean json;

  ClientOptions(CliEnvironment environment) {
    this.environment = Objects.requireNonNull(environment, "environment");
  }

  CliEnvironment environment() {
    return environment;
  }

  boolean json() {
    return json;
  }

  PrintWriter out() {
    return command.commandLine().getOut();
  }

  PrintWriter err() {
    return command.commandLine().getErr();
  }

  Ansi ansi() {
    return new Ansi(environment.colour() && !json);
  }

  String gatewayUrl() {
    String url = gateway != null ? gateway : environment.get("SAGE_GATEWAY_URL");
    if (url == null) {
      url = localGateway();
    }
    return url == null ? CliEnvironment.DEFAULT_GATEWAY : url.trim();
  }

  /**
   * The URL the gateway holding the data dir's lock wrote into it ("pid N, URL, started ..."), so
   * commands find a gateway started on another port with {@code sage gateway start --port}.
   */
  private String localGateway() {
    Path dataDirPath = environment.dataDir(dataDir);
    if (!io.sage.gateway.wiring.DataDirLock.isHeld(dataDirPath)) {
      return null;
    }
    for (String part : io.sage.gateway.wiring.DataDirLock.describe(dataDirPath).split(",")) {
      String trimmed = part.trim();
      if (trimmed.startsWith("http://") || trimmed.startsWith("https://")) {
        return trimmed.replace("://0.0.0.0:", "://127.0.0.1:").replace("://[::]:", "://127.0.0.1:");
      }
    }
    return null;
  }

  /** The data dir these options name (for commands that also read local files). */
  Path dataDir() {
    return environment.dataDir(dataDir);
  }

  /** --api-key, else $SAGE_API_KEY, else the admin key the gateway wrote into the data dir. */
  String resolvedApiKey() {
    if (apiKey != null && !apiKey.isBlank()) {
      return apiKey.trim();
    }
    String fromEnv = environment.get("SAGE_API_KEY");
    if (fromEnv != null) {
      return fromEnv.trim();
    }
    Path file = environment.dataDir(dataDir).resolve(ADMIN_KEY_FILE);
    try {
      if (Files.isReadable(file)) {
        String key = Files.readString(file).trim();
        return key.isEmpty() ? null : key;
      }
    } catch (IOException e) {
      // an unreadable key file is the same as none; the gateway answers 401 with its own message
    }
    return null;
  }

  ManagementClient management() {
    return new ManagementClient(transport(), Duration.ofMillis(500));
  }

  /** The HTTP transport to the gateway, without retries, with the resolved key. */
  GatewayTransport transport() {
    URI root;
    try {
      root = GatewayTransport.gatewayRoot(gatewayUrl());
    } catch (IllegalArgumentException e) {
      throw new CliException(SageCli.USAGE, e.getMessage());
    }
    // no retries: a CLI user wants to hear at once that the gateway is down
    return new GatewayTransport(
        List.of(root),
        resolvedApiKey(),
        CONNECT_TIMEOUT,
        REQUEST_TIMEOUT,
        new RetryPolicy(0, Duration.ZERO, Duration.ZERO));
  }

  /** Runs one gateway call, turning its failure into the exit code and message the user sees. */
  <T> T call(Supplier<T> request) {
    try {
      return request.get();
    } catch (SageClientException e) {
      throw failure(e);
    }
  }

  void run(Runnable request) {
    call(
        () -> {
          request.run();
          return null;
        });
  }

  CliException failure(SageClientException e) {
    if (e.status() == 0 && e.code().map(c -> c.equals("connect_failed")).orElse(false)) {
      String why = reason(e);
      return new CliException(
          SageCli.UNREACHABLE,
          "cannot reach the gateway at "
              + gatewayUrl()
              + " ("
              + why
              + ").\n  Start one with `sage gateway start`, or point --gateway / SAGE_GATEWAY_URL at a running gateway.");
    }
    String message = e.errorMessage().isBlank() ? e.getMessage() : e.errorMessage();
    if (e.status() == 401 || e.status() == 403) {
      message +=
          "\n  Pass an admin key with --api-key or SAGE_API_KEY (or keep it in <data-dir>/admin.key).";
    }
    return new CliException(SageCli.FAILED, message);
  }

  /**
   * Why the connection failed, in words ("connection refused" rather than a bare ConnectException).
   */
  private static String reason(Throwable error) {
    for (Throwable t = error.getCause(); t != null; t = t.getCause()) {
      if (t instanceof java.net.http.HttpConnectTimeoutException) {
        return "connect timed out after " + CONNECT_TIMEOUT.toSeconds() + " s";
      }
      if (t instanceof java.nio.channels.UnresolvedAddressException) {
        return "unknown host";
      }
      if (t instanceof java.net.ConnectException) {
        return t.getMessage() == null ? "connection refused" : t.getMessage();
      }
    }
    return error.getCause() == null ? error.getMessage() : String.valueOf(error.getCause());
  }

  /** Prints a gateway answer as JSON, indented (the same document the API sent). */
  void printJson(JsonNode answer) {
    try {
      out()
          .println(
              GatewayTransport.mapper()
                  .writerWithDefaultPrettyPrinter()
                  .writeValueAsString(answer));
      out().flush();
    } catch (JsonProcessingException e) {
      throw new CliException(
          SageCli.FAILED, "cannot print the gateway's answer: " + e.getMessage());
    }
  }

  void print(List<String> lines) {
    lines.forEach(out()::println);
    out().flush();
  }
}
