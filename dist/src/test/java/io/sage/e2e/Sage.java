package io.sage.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the real {@code bin/sage} script of the assembled distribution. */
public final class Sage {
  private Sage() {}

  /** The distribution under test ({@code dist/target/sage}). */
  public static Path home() {
    String home = System.getProperty("sage.home");
    Path path = home != null ? Path.of(home) : Path.of("target", "sage");
    if (!Files.isExecutable(path.resolve("bin/sage"))) {
      throw new IllegalStateException(
          "no distribution at " + path.toAbsolutePath() + "; run the package phase first");
    }
    return path.toAbsolutePath();
  }

  /** Starts a long-running command (logs -f) whose output the caller reads; stdin is empty. */
  public static Process spawn(Map<String, String> env, String... args) {
    List<String> argv = new ArrayList<>();
    argv.add(home().resolve("bin/sage").toString());
    argv.addAll(List.of(args));
    ProcessBuilder builder =
        new ProcessBuilder(argv)
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    testJvm(builder.environment(), env);
    try {
      return builder.start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot run bin/sage: " + e.getMessage(), e);
    }
  }

  /** What a test's gateways run with unless the test sets it itself (docs/decisions.md). */
  static final String GATEWAY_JAVA_OPTS = "-XX:TieredStopAtLevel=1";

  /**
   * The test's environment over the inherited one. Gateways started by tests are short-lived and
   * never get hot: the C1 compiler alone halves the CPU a start takes (about 5 s against 10 s on 2
   * shared cores; C2 compiles code that is left before it pays off), which is most of the suite's
   * time. Behaviour does not depend on the compiler; the benchmarks in bench/ run the defaults.
   */
  static void testJvm(Map<String, String> environment, Map<String, String> env) {
    environment.putIfAbsent("SAGE_GATEWAY_JAVA_OPTS", GATEWAY_JAVA_OPTS);
    environment.putAll(env);
  }

  public static Path pluginsDir() {
    return home().resolve("plugins");
  }

  /** Output and exit code of one command. */
  public record Result(int exitCode, String stdout, String stderr) {
    public String all() {
      return stdout + stderr;
    }
  }

  public static Result run(Map<String, String> env, String... args) {
    return run(env, 180, args);
  }

  /** In {@code env}: run bin/sage under this umask (e.g. 022), to show its files stay private. */
  public static final String UMASK = "SAGE_TEST_UMASK";

  public static Result run(Map<String, String> env, int timeoutSeconds, String... args) {
    return runWithInput(env, timeoutSeconds, null, args);
  }

  /** Runs one command with {@code input} as its standard input (null: /dev/null). */
  public static Result runWithInput(
      Map<String, String> env, int timeoutSeconds, String input, String... args) {
    return runWithInput(List.of(), env, timeoutSeconds, input, args);
  }

  /** Runs bin/sage under {@code prefix} (e.g. {@code ip netns exec <ns>}: on another test host). */
  public static Result runIn(
      List<String> prefix, Map<String, String> env, int timeoutSeconds, String... args) {
    return runWithInput(prefix, env, timeoutSeconds, null, args);
  }

  private static Result runWithInput(
      List<String> prefix,
      Map<String, String> env,
      int timeoutSeconds,
      String input,
      String... args) {
    List<String> argv = new ArrayList<>(prefix);
    if (env.containsKey(UMASK)) {
      argv.addAll(List.of("/bin/sh", "-c", "umask \"$0\" && exec \"$@\"", env.get(UMASK)));
    }
    argv.add(home().resolve("bin/sage").toString());
    argv.addAll(List.of(args));
    try {
      Path out = Files.createTempFile("sage-out", ".txt");
      Path err = Files.createTempFile("sage-err", ".txt");
      java.io.File in = new java.io.File("/dev/null");
      if (input != null) {
        Path stdin = Files.createTempFile("sage-in", ".txt");
        Files.writeString(stdin, input, StandardCharsets.UTF_8);
        in = stdin.toFile();
        in.deleteOnExit();
      }
      ProcessBuilder builder =
          new ProcessBuilder(argv)
              .redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(in));
      testJvm(builder.environment(), env);
      Process process = builder.start();
      if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(
            "sage " + String.join(" ", args) + " did not finish in " + timeoutSeconds + " s");
      }
      Result result =
          new Result(
              process.exitValue(),
              Files.readString(out, StandardCharsets.UTF_8),
              Files.readString(err, StandardCharsets.UTF_8));
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
      return result;
    } catch (IOException e) {
      throw new IllegalStateException("cannot run bin/sage: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
