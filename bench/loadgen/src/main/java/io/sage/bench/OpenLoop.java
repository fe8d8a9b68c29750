package io.sage.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Open-loop load: requests are due at a constant rate whether or not earlier ones have been
 * answered, and every latency is counted from the time the request was due (not from when a
 * connection became free to send it), so a stalled server is charged for every request it delays
 * (no coordinated omission). One dispatcher thread hands due requests to free keep-alive
 * connections; the Netty event loop does the I/O.
 *
 * <p>Options: {@code --url}, {@code --rates 2000,5000} (requests/s, one phase each), {@code
 * --duration} s per phase (5), {@code --warmup} s at the first rate, untimed (2), {@code
 * --connections} (256), {@code --body} (POST body; GET without), {@code --header} (repeatable),
 * {@code --stop-p99-ms} (stop after the first phase whose p99 is over it, or that had errors),
 * {@code --label}. Prints per phase: {@code label rate achieved_rps count errors p50 p90 p99 p999
 * max} (ms).
 */
final class OpenLoop {
  private final URI uri;
  private final byte[] body;
  private final List<String> headers;
  private final Bootstrap bootstrap;
  private final LinkedBlockingQueue<Conn> free = new LinkedBlockingQueue<>();
  private final AtomicLong errors = new AtomicLong();
  private final AtomicLong completed = new AtomicLong();
  private final AtomicLong closed = new AtomicLong();
  private volatile Recorder recorder = new Recorder(3);

  private OpenLoop(URI uri, byte[] body, List<String> headers, EventLoopGroup group) {
    this.uri = uri;
    this.body = body;
    this.headers = headers;
    this.bootstrap = Http.bootstrap(group, () -> new Conn());
  }

  static void run(Args args) throws Exception {
    EventLoopGroup group = Http.group(args.integer("threads", 1));
    OpenLoop load =
        new OpenLoop(
            args.uri("url"), Http.utf8(args.string("body", null)), args.all("header"), group);
    int connections = args.integer("connections", 256);
    for (int i = 0; i < connections; i++) {
      load.open();
    }
    List<Double> rates = new ArrayList<>();
    for (String rate : args.required("rates").split(",")) {
      rates.add(Double.parseDouble(rate));
    }
    double stop = args.decimal("stop-p99-ms", Double.MAX_VALUE);
    String label = args.string("label", "open");
    double warmup = args.decimal("warmup", 2);
    if (warmup > 0) {
      load.phase(rates.get(0), warmup);
    }
    for (double rate : rates) {
      Result result = load.phase(rate, args.decimal("duration", 5));
      System.out.println(label + " " + result);
      System.out.flush();
      if (result.errors > 0 || result.histogram.getValueAtPercentile(99) / 1000.0 > stop) {
        break;
      }
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }

  private void open() throws InterruptedException {
    Channel channel = Http.connect(bootstrap, uri);
    free.add(channel.pipeline().get(Conn.class));
  }

  private Result phase(double rate, double seconds) throws InterruptedException {
    long errorsBefore = errors.get();
    long completedBefore = completed.get();
    long closedBefore = closed.get();
    recorder.reset();
    long interval = (long) (1_000_000_000L / rate);
    long start = System.nanoTime();
    long end = start + (long) (seconds * 1_000_000_000L);
    long next = start;
    long sent = 0;
    ArrayDeque<Long> due = new ArrayDeque<>();
    while (next < end || !due.isEmpty()) {
      long now = System.nanoTime();
      while (next <= now && next < end) {
        due.add(next);
        next += interval;
        sent++;
      }
      Conn conn;
      while (!due.isEmpty() && (conn = free.poll()) != null) {
        conn.send(due.poll());
      }
      if (due.isEmpty()) {
        if (next >= end) {
          break;
        }
        long wait = next - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
      } else {
        long wait = next < end ? Math.max(0, next - System.nanoTime()) : 1_000_000;
        Conn ready = free.poll(wait, TimeUnit.NANOSECONDS);
        if (ready != null) {
          ready.send(due.poll());
        }
      }
    }
    long drainUntil = System.nanoTime() + 10_000_000_000L;
    while (completed.get() - completedBefore + errors.get() - errorsBefore < sent
        && System.nanoTime() < drainUntil) {
      Thread.sleep(1);
    }
    long done = completed.get() - completedBefore;
    long failed = errors.get() - errorsBefore;
    long missing = sent - done - failed;
    long elapsed = System.nanoTime() - start;
    return new Result(
        rate,
        done / (elapsed / 1e9),
        done,
        failed + Math.max(0, missing),
        closed.get() - closedBefore,
        recorder.getIntervalHistogram());
  }

  record Result(
      double rate, double achieved, long count, long errors, long closed, Histogram histogram) {
    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%.0f %.1f %d %d ", rate, achieved, count, errors)
          + Http.millis(histogram)
          + " closed="
          + closed;
    }
  }

  /** One keep-alive connection: at most one request in flight. */
  private final class Conn extends SimpleChannelInboundHandler<HttpObject> {
    private Channel channel;
    private long due;
    private boolean busy;
    private boolean ok;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      channel = ctx.channel();
    }

    void send(long dueAt) {
      channel
          .eventLoop()
          .execute(
              () -> {
                due = dueAt;
                busy = true;
                ok = false;
                channel
                    .writeAndFlush(Http.request(uri, body, headers))
                    .addListener(
                        f -> {
                          if (!f.isSuccess()) {
                            fail();
                          }
                        });
              });
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
      if (msg instanceof HttpResponse response) {
        ok = response.status().code() == 200;
      }
      if (msg instanceof LastHttpContent && busy) {
        busy = false;
        long latency = System.nanoTime() - due;
        recorder.recordValue(Math.max(0, latency / 1000));
        if (ok) {
          completed.incrementAndGet();
        } else {
          errors.incrementAndGet();
        }
        free.add(this);
      }
    }

    private void fail() {
      if (busy) {
        busy = false;
        errors.incrementAndGet();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      // A dropped keep-alive connection: count it, and replace it so the load stays the same.
      closed.incrementAndGet();
      fail();
      free.remove(this);
      ctx.channel()
          .eventLoop()
          .execute(
              () ->
                  bootstrap
                      .connect(uri.getHost(), Http.port(uri))
                      .addListener(
                          f -> {
                            if (f.isSuccess()) {
                              free.add(
                                  ((io.netty.channel.ChannelFuture) f)
                                      .channel()
                                      .pipeline()
                                      .get(Conn.class));
                            }
                          }));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
