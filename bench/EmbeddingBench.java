import io.sage.engine.embedding.server.MicroBatcher;
import io.sage.engine.embedding.server.ServerArguments;
import io.sage.engine.embedding.server.TextEncoder;
import io.sage.engine.embedding.server.TokenizedText;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Embedding benchmark, run on the embedding plugin's class path:
 *
 * <pre>
 * java -cp 'classes:lib/*:slf4j-api.jar' [engine JVM flags] bench/EmbeddingBench.java
 *   --threads 2 --batch-wait-ms 0 --seconds 4 --rounds 2 --model NAME [--header 'H: v'] name=URL ...
 * </pre>
 *
 * <p>Targets, interleaved per round: {@code encoder} (the plugin's own {@link TextEncoder} called
 * directly, no batching), {@code in-process} (the same encoder behind the same {@link MicroBatcher}
 * the engine uses, with the same batch wait: the engine minus HTTP and JSON), then each
 * {@code name=URL} ({@code /v1/embeddings} of the engine or the gateway). For each, one client sends
 * single sentences, then batches of 32, sequentially, for {@code --seconds} each. Prints one line
 * per target: {@code name single_sent_s single_p50_ms single_p99_ms batch_sent_s batch_p50_ms
 * batch_p99_ms} (means over rounds of each round's figures).
 */
public final class EmbeddingBench {

  static final int BATCH = 32;
  static final String[] SENTENCES = {
    "The quick brown fox jumps over the lazy dog.",
    "A gateway routes requests to the engine that serves the model.",
    "Embeddings map sentences to vectors that capture their meaning.",
    "The weather today is sunny with a light breeze from the west.",
    "She bought fresh bread and cheese at the market this morning.",
    "Distributed systems fail in partial and surprising ways.",
    "He learned to play the violin when he was seven years old.",
    "The train to the airport leaves every fifteen minutes.",
    "Mean pooling averages the token states into one vector.",
    "Our team ships small changes often and measures their effect.",
    "The museum opens at nine and closes at five on weekdays.",
    "A cat sat on the windowsill watching the birds outside.",
    "Latency percentiles tell more than averages do.",
    "Please remember to water the plants while I am away.",
    "The river flooded the lower fields after days of rain.",
    "Benchmarks on shared machines must be read with care.",
  };

  interface Target {
    void embed(List<String> texts) throws Exception;
  }

  public static void main(String[] args) throws Exception {
    int threads = 2;
    int batchWaitMs = 0;
    double seconds = 4;
    int rounds = 2;
    String model = "bench-embed";
    List<String> headers = new ArrayList<>();
    Map<String, String> urls = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--threads" -> threads = Integer.parseInt(args[++i]);
        case "--batch-wait-ms" -> batchWaitMs = Integer.parseInt(args[++i]);
        case "--seconds" -> seconds = Double.parseDouble(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--model" -> model = args[++i];
        case "--header" -> headers.add(args[++i]);
        default -> {
          int eq = args[i].indexOf('=');
          if (eq <= 0) {
            throw new IllegalArgumentException("expected name=URL, got " + args[i]);
          }
          urls.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
      }
    }
    TextEncoder encoder = TextEncoder.load(ServerArguments.parse(List.of("--threads", Integer.toString(threads))));
    MicroBatcher batcher = new MicroBatcher(encoder::embed, BATCH, batchWaitMs);
    Map<String, Target> targets = new LinkedHashMap<>();
    targets.put("encoder", texts -> encoder.embed(texts.stream().map(encoder::tokenize).toList()));
    targets.put("in-process", texts -> {
      // What the engine does per request: tokenize every text, queue them, wait for all vectors.
      List<CompletableFuture<float[]>> results = new ArrayList<>(texts.size());
      for (String text : texts) {
        results.add(batcher.submit(encoder.tokenize(text)));
      }
      for (CompletableFuture<float[]> result : results) {
        result.join();
      }
    });
    for (Map.Entry<String, String> url : urls.entrySet()) {
      targets.put(url.getKey(), new HttpTarget(URI.create(url.getValue()), model, headers));
    }

    Map<String, double[]> sums = new LinkedHashMap<>();
    for (Map.Entry<String, Target> target : targets.entrySet()) {
      run(target.getValue(), 1, Math.min(2, seconds)); // untimed warm-up
      run(target.getValue(), BATCH, Math.min(2, seconds));
      sums.put(target.getKey(), new double[6]);
    }
    for (int round = 0; round < rounds; round++) {
      for (Map.Entry<String, Target> target : targets.entrySet()) {
        System.err.printf("embedding bench: round %d/%d %s%n", round + 1, rounds, target.getKey());
        double[] single = run(target.getValue(), 1, seconds);
        double[] batch = run(target.getValue(), BATCH, seconds);
        double[] sum = sums.get(target.getKey());
        for (int i = 0; i < 3; i++) {
          sum[i] += single[i] / rounds;
          sum[3 + i] += batch[i] / rounds;
        }
      }
    }
    for (Map.Entry<String, double[]> entry : sums.entrySet()) {
      double[] s = entry.getValue();
      System.out.printf(Locale.ROOT, "%s %.1f %.3f %.3f %.1f %.3f %.3f%n", entry.getKey(),
          s[0], s[1], s[2], s[3], s[4], s[5]);
    }
    batcher.close();
    encoder.close();
  }

  /** Sends sequential requests of {@code size} sentences; returns sentences/s, p50 ms, p99 ms. */
  static double[] run(Target target, int size, double seconds) throws Exception {
    List<Double> latencies = new ArrayList<>();
    long start = System.nanoTime();
    long end = start + (long) (seconds * 1e9);
    int next = 0;
    long sentences = 0;
    long now = start;
    while (now < end) {
      List<String> texts = new ArrayList<>(size);
      for (int i = 0; i < size; i++) {
        texts.add(SENTENCES[next++ % SENTENCES.length]);
      }
      long t0 = System.nanoTime();
      target.embed(texts);
      now = System.nanoTime();
      latencies.add((now - t0) / 1e6);
      sentences += size;
    }
    double[] sorted = latencies.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(sorted);
    return new double[] {
      sentences / ((now - start) / 1e9), percentile(sorted, 50), percentile(sorted, 99)
    };
  }

  static double percentile(double[] sorted, double pct) {
    int index = (int) Math.ceil(pct / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  /**
   * {@code POST /v1/embeddings} over one kept-alive connection, written and read by hand: the
   * JDK's {@code HttpClient} hands every exchange between its caller, selector and executor
   * threads, which on 2 shared cores cost the engine's figures several milliseconds a request
   * (decision 80). A non-200 answer stops the benchmark.
   */
  static final class HttpTarget implements Target {
    private final URI uri;
    private final String model;
    private final List<String> headers;
    private java.net.Socket socket;
    private java.io.BufferedInputStream in;
    private java.io.OutputStream out;

    HttpTarget(URI uri, String model, List<String> headers) {
      this.uri = uri;
      this.model = model;
      this.headers = headers;
    }

    @Override
    public void embed(List<String> texts) throws Exception {
      StringBuilder body = new StringBuilder("{\"model\":\"").append(model).append("\",\"input\":");
      if (texts.size() == 1) {
        body.append('"').append(texts.get(0)).append('"');
      } else {
        body.append('[');
        for (int i = 0; i < texts.size(); i++) {
          body.append(i == 0 ? "\"" : ",\"").append(texts.get(i)).append('"');
        }
        body.append(']');
      }
      body.append('}');
      byte[] payload = body.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
      StringBuilder head = new StringBuilder("POST ").append(uri.getRawPath()).append(" HTTP/1.1\r\n")
          .append("Host: ").append(uri.getHost()).append(':').append(uri.getPort()).append("\r\n")
          .append("Content-Type: application/json\r\n")
          .append("Content-Length: ").append(payload.length).append("\r\n");
      for (String header : headers) {
        head.append(header.trim()).append("\r\n");
      }
      head.append("\r\n");
      if (socket == null) {
        socket = new java.net.Socket(uri.getHost(), uri.getPort());
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(60_000);
        in = new java.io.BufferedInputStream(socket.getInputStream(), 65536);
        out = socket.getOutputStream();
      }
      byte[] headBytes = head.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      byte[] request = Arrays.copyOf(headBytes, headBytes.length + payload.length);
      System.arraycopy(payload, 0, request, headBytes.length, payload.length);
      out.write(request);
      out.flush();
      String status = line();
      long length = -1;
      boolean chunked = false;
      boolean close = false;
      for (String h = line(); !h.isEmpty(); h = line()) {
        String lower = h.toLowerCase(Locale.ROOT);
        if (lower.startsWith("content-length:")) {
          length = Long.parseLong(h.substring(15).trim());
        } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
          chunked = true;
        } else if (lower.startsWith("connection:") && lower.contains("close")) {
          close = true;
        }
      }
      java.io.ByteArrayOutputStream received = new java.io.ByteArrayOutputStream();
      if (chunked) {
        for (long size = Long.parseLong(line().split(";")[0].trim(), 16); size > 0;
            size = Long.parseLong(line().split(";")[0].trim(), 16)) {
          received.write(in.readNBytes((int) size));
          line();
        }
        line();
      } else if (length >= 0) {
        received.write(in.readNBytes((int) length));
      } else {
        received.write(in.readAllBytes());
        close = true;
      }
      if (close) {
        socket.close();
        socket = null;
      }
      if (!status.startsWith("HTTP/1.1 200")) {
        throw new IllegalStateException(uri + " answered " + status + ": "
            + received.toString(java.nio.charset.StandardCharsets.UTF_8));
      }
    }

    private String line() throws java.io.IOException {
      StringBuilder line = new StringBuilder();
      for (int c = in.read(); c != '\n'; c = in.read()) {
        if (c < 0) {
          throw new java.io.EOFException(uri + " closed the connection");
        }
        if (c != '\r') {
          line.append((char) c);
        }
      }
      return line.toString();
    }
  }
}
