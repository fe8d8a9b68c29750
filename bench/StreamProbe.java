import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Streaming probe: {@code java bench/StreamProbe.java --requests N --max-tokens 64 --model M
 * [--header 'Name: value'] name=URL [name=URL ...]}.
 *
 * <p>Sends N sequential streaming chat requests to every target, interleaved (A, B, C, A, B, C ...)
 * so load changes on a shared machine hit every target alike, and prints per target one line:
 * {@code name ttft_p50_ms ttft_p99_ms gap_mean_ms gap_p99_ms tokens_per_stream}.
 *
 * <p>A raw HTTP/1.1 socket on a kept-alive connection is used rather than the JDK HttpClient, so
 * the client's own thread hand-offs do not blur the sub-millisecond differences being measured.
 * Time to first token is measured from the first byte written to the arrival of the first complete
 * SSE event; inter-token gaps are the times between successive complete events.
 */
public final class StreamProbe {

  public static void main(String[] args) throws Exception {
    int requests = 10;
    int maxTokens = 64;
    String model = "stream";
    List<String> headers = new ArrayList<>();
    Map<String, URI> targets = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--requests" -> requests = Integer.parseInt(args[++i]);
        case "--max-tokens" -> maxTokens = Integer.parseInt(args[++i]);
        case "--model" -> model = args[++i];
        case "--header" -> headers.add(args[++i]);
        default -> {
          int eq = args[i].indexOf('=');
          if (eq <= 0) {
            throw new IllegalArgumentException("expected name=URL, got " + args[i]);
          }
          targets.put(args[i].substring(0, eq), URI.create(args[i].substring(eq + 1)));
        }
      }
    }
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("no targets given");
    }
    String body = "{\"model\":\"" + model + "\",\"stream\":true,\"max_tokens\":" + maxTokens
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"benchmark stream\"}]}";
    Map<String, Probe> probes = new LinkedHashMap<>();
    for (Map.Entry<String, URI> target : targets.entrySet()) {
      probes.put(target.getKey(), new Probe(target.getValue(), body, headers));
    }
    // One untimed warm-up stream per target (connection set-up, JIT of this client).
    for (Probe probe : probes.values()) {
      probe.run(false);
    }
    for (int i = 0; i < requests; i++) {
      for (Probe probe : probes.values()) {
        probe.run(true);
      }
    }
    for (Map.Entry<String, Probe> entry : probes.entrySet()) {
      Probe p = entry.getValue();
      System.out.printf(Locale.ROOT, "%s %.3f %.3f %.3f %.3f %d%n", entry.getKey(),
          percentile(p.ttfts, 50), percentile(p.ttfts, 99), mean(p.gaps), percentile(p.gaps, 99),
          p.tokensPerStream);
      p.close();
    }
  }

  static double percentile(List<Double> values, double pct) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(sorted);
    int index = (int) Math.ceil(pct / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  static double mean(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
  }

  /** One target on one kept-alive connection. */
  static final class Probe {
    private final URI uri;
    private final byte[] request;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    final List<Double> ttfts = new ArrayList<>();
    final List<Double> gaps = new ArrayList<>();
    int tokensPerStream;

    Probe(URI uri, String body, List<String> headers) {
      this.uri = uri;
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      StringBuilder head = new StringBuilder()
          .append("POST ").append(uri.getRawPath()).append(" HTTP/1.1\r\n")
          .append("Host: ").append(uri.getHost()).append(':').append(uri.getPort()).append("\r\n")
          .append("Content-Type: application/json\r\nAccept: text/event-stream\r\n")
          .append("Content-Length: ").append(bytes.length).append("\r\n");
      for (String header : headers) {
        head.append(header).append("\r\n");
      }
      head.append("\r\n");
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      all.writeBytes(head.toString().getBytes(StandardCharsets.US_ASCII));
      all.writeBytes(bytes);
      this.request = all.toByteArray();
    }

    void run(boolean record) throws IOException {
      if (socket == null) {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5000);
        socket.setSoTimeout(60_000);
        in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
        out = socket.getOutputStream();
      }
      long sent = System.nanoTime();
      out.write(request);
      out.flush();
      String status = line();
      if (!status.startsWith("HTTP/1.1 200")) {
        throw new IOException(uri + " answered " + status);
      }
      boolean chunked = false;
      long length = -1;
      boolean close = false;
      for (String h = line(); !h.isEmpty(); h = line()) {
        String lower = h.toLowerCase(Locale.ROOT);
        if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
          chunked = true;
        } else if (lower.startsWith("content-length:")) {
          length = Long.parseLong(lower.substring(15).trim());
        } else if (lower.startsWith("connection:") && lower.contains("close")) {
          close = true;
        }
      }
      List<Long> events = new ArrayList<>();
      Sse sse = new Sse(events);
      if (chunked) {
        while (true) {
          String size = line();
          int semi = size.indexOf(';');
          int n = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
          if (n == 0) {
            while (!line().isEmpty()) {
              // trailers
            }
            break;
          }
          for (int i = 0; i < n; i++) {
            sse.accept(read());
          }
          line();
        }
      } else if (length >= 0) {
        for (long i = 0; i < length; i++) {
          sse.accept(read());
        }
      } else {
        for (int b = in.read(); b >= 0; b = in.read()) {
          sse.accept(b);
        }
        close = true;
      }
      if (close) {
        close();
      }
      // The last event is [DONE]; the token events come before it.
      int tokens = sse.tokenEvents;
      if (tokens == 0) {
        throw new IOException(uri + " streamed no token events");
      }
      if (!record) {
        return;
      }
      tokensPerStream = tokens;
      ttfts.add((events.get(0) - sent) / 1e6);
      for (int i = 1; i < tokens; i++) {
        gaps.add((events.get(i) - events.get(i - 1)) / 1e6);
      }
    }

    private int read() throws IOException {
      int b = in.read();
      if (b < 0) {
        throw new IOException(uri + ": connection closed mid-response");
      }
      return b;
    }

    private String line() throws IOException {
      StringBuilder s = new StringBuilder();
      for (int b = read(); b != '\n'; b = read()) {
        if (b != '\r') {
          s.append((char) b);
        }
      }
      return s.toString();
    }

    void close() throws IOException {
      if (socket != null) {
        socket.close();
        socket = null;
      }
    }
  }

  /** Splits the byte stream into SSE events and time-stamps each complete token event. */
  static final class Sse {
    private final List<Long> times;
    private final ByteArrayOutputStream event = new ByteArrayOutputStream();
    private int previous = -1;
    int tokenEvents;

    Sse(List<Long> times) {
      this.times = times;
    }

    void accept(int b) {
      if (b == '\r') {
        return;
      }
      if (b == '\n' && previous == '\n') {
        String text = event.toString(StandardCharsets.UTF_8);
        event.reset();
        if (text.startsWith("data:") && !text.contains("[DONE]")) {
          times.add(System.nanoTime());
          tokenEvents++;
        }
      } else {
        event.write(b);
      }
      previous = b;
    }
  }
}
