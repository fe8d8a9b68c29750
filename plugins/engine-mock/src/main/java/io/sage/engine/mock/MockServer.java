package io.sage.engine.mock;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The mock engine's HTTP server: the JDK's {@link HttpServer} on a fixed pool of worker threads. A
 * fixed pool (not a cached one) so that a hung engine holds a bounded number of threads; it is
 * large because paced streams hold their thread for the whole reply.
 */
final class MockServer {
  static final int WORKER_THREADS = 200;
  static final int BACKLOG = 1024;
  static final int MAX_IDLE_CONNECTIONS = 20_000;
  private static final String MAX_IDLE_PROPERTY = "sun.net.httpserver.maxIdleConnections";

  private final HttpServer server;
  private final ExecutorService workers;

  private MockServer(HttpServer server, ExecutorService workers) {
    this.server = server;
    this.workers = workers;
  }

  /** Binds and starts serving. */
  static MockServer start(
      MockServerConfig config, MockFaults faults, PrintStream out, PrintStream err)
      throws IOException {
    // Without TCP_NODELAY, small keep-alive responses wait on delayed ACKs (tens of ms each).
    System.setProperty("sun.net.httpserver.nodelay", "true");
    // The JDK server closes every idle keep-alive connection beyond maxIdleConnections (200 by
    // default); a proxy's or a load generator's pool is larger than that under load, so they saw
    // dropped connections and read errors. Keep them all, as a real engine server does.
    if (System.getProperty(MAX_IDLE_PROPERTY) == null) {
      System.setProperty(MAX_IDLE_PROPERTY, Integer.toString(MAX_IDLE_CONNECTIONS));
    }
    HttpServer server =
        HttpServer.create(new InetSocketAddress(config.host(), config.port()), BACKLOG);
    AtomicInteger threadNumber = new AtomicInteger();
    ExecutorService workers =
        Executors.newFixedThreadPool(
            WORKER_THREADS,
            task -> {
              Thread thread = new Thread(task, "mock-worker-" + threadNumber.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    server.setExecutor(workers);
    server.createContext("/", new MockRouter(config, faults, out, err));
    server.start();
    return new MockServer(server, workers);
  }

  InetSocketAddress address() {
    return server.getAddress();
  }

  /** Stops at once: in-flight streams are cut, as a killed engine's would be. */
  void stop() {
    server.stop(0);
    workers.shutdownNow();
  }
}
