package io.sage.bench;

/**
 * Benchmark tools for bench/run-all.sh: {@code upstream} (a paced OpenAI-shaped engine), {@code
 * open} (open-loop load), {@code streams} (concurrent SSE streams), {@code idle} (idle keep-alive
 * connections and their RSS).
 */
public final class BenchMain {
  private BenchMain() {}

  public static void main(String[] argv) throws Exception {
    if (argv.length == 0) {
      System.err.println("usage: BenchMain upstream|open|streams|idle --name value ...");
      System.exit(2);
    }
    Args args = new Args(argv, 1);
    switch (argv[0]) {
      case "upstream" -> PacedUpstream.run(args);
      case "open" -> OpenLoop.run(args);
      case "streams" -> StreamLoad.run(args);
      case "idle" -> IdleConnections.run(args);
      default -> {
        System.err.println("unknown tool " + argv[0]);
        System.exit(2);
      }
    }
  }
}
