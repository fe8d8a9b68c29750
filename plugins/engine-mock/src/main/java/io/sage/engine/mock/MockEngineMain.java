package io.sage.engine.mock;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The mock engine process: {@code java -cp <plugin jar> io.sage.engine.mock.MockEngineMain --host H
 * --port P --model M --kind llm|embedding [--option k=v]...}, with the bearer key in {@code
 * SAGE_ENGINE_API_KEY}. Uses only the JDK, so the plugin jar alone is its class path.
 *
 * <p>Exit codes: 2 for bad arguments, 1 when the port cannot be bound, 3 after {@code
 * exit_after_requests}; SIGTERM stops it at once.
 */
public final class MockEngineMain {
  static final String API_KEY_ENV = "SAGE_ENGINE_API_KEY";

  private MockEngineMain() {}

  public static void main(String[] args) {
    long startNanos = System.nanoTime();
    PrintStream out = System.out;
    PrintStream err = System.err;
    MockServerConfig config;
    try {
      config = parse(args, Optional.ofNullable(System.getenv(API_KEY_ENV)));
    } catch (IllegalArgumentException e) {
      err.println("mock engine: " + e.getMessage());
      err.println(
          "usage: MockEngineMain --host H --port P --model M --kind llm|embedding [--option k=v]...");
      System.exit(2);
      return;
    }
    MockFaults faults = new MockFaults(config.options(), startNanos, System::exit);
    String where = config.host() + ":" + config.port();
    // Jackson's first parse loads a few hundred classes: done before listening, so a READY mock
    // answers its first request as fast as the next ones
    MockRequest.warmUp();
    MockServer server;
    try {
      server = MockServer.start(config, faults, out, err);
    } catch (IOException | RuntimeException e) {
      err.println("mock engine " + config.model() + " cannot listen on " + where + ": " + e);
      System.exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "mock-engine-shutdown"));
    out.println(
        "mock engine "
            + config.model()
            + " listening on "
            + config.host()
            + ":"
            + server.address().getPort());
    out.flush();
  }

  /** Parses the command line; every problem is reported in one message. */
  static MockServerConfig parse(String[] args, Optional<String> apiKey) {
    Map<String, String> single = new LinkedHashMap<>();
    Map<String, String> options = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String name = args[i];
      if (i + 1 >= args.length) {
        problems.add(name + " needs a value");
        break;
      }
      String value = args[++i];
      switch (name) {
        case "--host", "--port", "--model", "--kind" -> single.put(name, value);
        case "--option" -> {
          int eq = value.indexOf('=');
          if (eq <= 0) {
            problems.add("--option needs name=value, got '" + value + "'");
          } else {
            options.put(value.substring(0, eq), value.substring(eq + 1));
          }
        }
        default -> problems.add("unknown argument " + name);
      }
    }
    String host = single.getOrDefault("--host", "127.0.0.1");
    int port = port(single.get("--port"), problems);
    String model = single.get("--model");
    if (model == null || model.isBlank()) {
      problems.add("--model is required");
    }
    String kind = single.getOrDefault("--kind", "llm");
    if (!kind.equals("llm") && !kind.equals("embedding")) {
      problems.add("--kind must be llm or embedding, got '" + kind + "'");
    }
    MockOptions.Parsed parsed = MockOptions.parse(options);
    problems.addAll(parsed.problems());
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    return new MockServerConfig(
        host, port, model, kind.equals("embedding"), parsed.options().orElseThrow(), apiKey);
  }

  private static int port(String value, List<String> problems) {
    if (value == null) {
      problems.add("--port is required");
      return 0;
    }
    try {
      int port = Integer.parseInt(value);
      if (port >= 0 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    problems.add("--port must be within 0..65535, got '" + value + "'");
    return 0;
  }
}
