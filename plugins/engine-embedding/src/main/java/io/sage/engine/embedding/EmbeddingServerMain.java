package io.sage.engine.embedding;

import io.sage.engine.embedding.server.EmbeddingHttpServer;
import io.sage.engine.embedding.server.MicroBatcher;
import io.sage.engine.embedding.server.ServerArguments;
import io.sage.engine.embedding.server.TextEncoder;
import java.util.List;

/**
 * The embedding engine process. It binds its port first, so the host can tell "loading" (503 on
 * /health) from "dead", then loads the model; a model that cannot load ends the process with exit
 * code 1 and the reason as the last log line.
 */
public final class EmbeddingServerMain {

  private EmbeddingServerMain() {}

  public static void main(String[] args) {
    // Headers and body go out as two writes; without TCP_NODELAY, Nagle plus the client's delayed
    // ACK add about 40 ms to every response.
    System.setProperty("sun.net.httpserver.nodelay", "true");
    try {
      ServerArguments arguments = ServerArguments.parse(List.of(args));
      EmbeddingHttpServer server =
          new EmbeddingHttpServer(arguments, System.getenv("SAGE_ENGINE_API_KEY"));
      server.start();
      System.out.printf(
          "embedding engine listening on %s:%d, loading %s%n",
          arguments.host(), server.port(), arguments.model());
      long started = System.nanoTime();
      TextEncoder encoder = TextEncoder.load(arguments);
      MicroBatcher batcher =
          new MicroBatcher(encoder::embed, arguments.maxBatchSize(), arguments.batchWaitMs());
      server.ready(encoder, batcher);
      System.out.printf(
          "embedding engine ready: model %s served as '%s', %d dimensions, %d threads, loaded in %d ms%n",
          arguments.model(),
          arguments.servedModelName(),
          encoder.dimension(),
          arguments.threads(),
          (System.nanoTime() - started) / 1_000_000);
    } catch (Exception | LinkageError e) {
      System.err.println("embedding engine failed to start: " + e);
      e.printStackTrace();
      System.exit(1);
    }
  }
}
