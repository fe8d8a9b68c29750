package io.sage.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Concurrent SSE streams against a {@link PacedUpstream} (directly or through a proxy): time to
 * first token (request written to first complete event), the gaps between successive events, and a
 * check of every event: token {@code i} must arrive as event {@code i}, alone (nothing lost, merged
 * or reordered), followed by {@code [DONE]}.
 *
 * <p>Options: {@code --url}, {@code --body}, {@code --header} (repeatable), {@code --concurrency}
 * (streams at once, one keep-alive connection each), {@code --total} (streams in all), {@code
 * --ramp-ms} (the first streams' starts are spread over this, 1000), {@code --tokens} (expected,
 * 64), {@code --max-gap-ms} (200), {@code --label}. Prints {@code label ok bad gaps_over_max
 * ttft_p50 ttft_p99 gap_mean gap_p50 gap_p99 gap_max} (ms).
 */
final class StreamLoad {
  private final URI uri;
  private final byte[] body;
  private final List<String> headers;
  private final int tokens;
  private final long maxGapMicros;
  private final AtomicInteger remaining;
  private final AtomicInteger ok = new AtomicInteger();
  private final AtomicInteger bad = new AtomicInteger();
  private final AtomicLong over = new AtomicLong();
  private final AtomicLong gapSum = new AtomicLong();
  private final AtomicLong gapCount = new AtomicLong();
  private final Recorder ttft = new Recorder(3);
  private final Recorder gaps = new Recorder(3);
  private final CountDownLatch finished;

  private StreamLoad(Args args) {
    uri = args.uri("url");
    body = Http.utf8(args.required("body"));
    headers = args.all("header");
    tokens = args.integer("tokens", 64);
    maxGapMicros = (long) (args.decimal("max-gap-ms", 200) * 1000);
    int total = args.integer("total", args.integer("concurrency", 1));
    remaining = new AtomicInteger(total);
    finished = new CountDownLatch(total);
  }

  static void run(Args args) throws Exception {
    StreamLoad load = new StreamLoad(args);
    int concurrency = args.integer("concurrency", 1);
    long rampNanos = (long) (args.decimal("ramp-ms", 1000) * 1_000_000);
    EventLoopGroup group = Http.group(args.integer("threads", 1));
    Bootstrap bootstrap = Http.bootstrap(group, () -> load.new Stream());
    List<Channel> channels = new ArrayList<>();
    for (int i = 0; i < concurrency; i++) {
      channels.add(Http.connect(bootstrap, load.uri));
    }
    long start = System.nanoTime();
    for (int i = 0; i < concurrency; i++) {
      Stream stream = channels.get(i).pipeline().get(Stream.class);
      long at = start + rampNanos * i / concurrency;
      channels
          .get(i)
          .eventLoop()
          .schedule(stream::next, at - System.nanoTime(), TimeUnit.NANOSECONDS);
    }
    long timeout = 180 + (long) (load.remaining.get() / Math.max(1, concurrency) * 5.0);
    if (!load.finished.await(timeout, TimeUnit.SECONDS)) {
      System.err.println("streams: timed out waiting for " + load.finished.getCount() + " streams");
    }
    Histogram t = load.ttft.getIntervalHistogram();
    Histogram g = load.gaps.getIntervalHistogram();
    System.out.printf(
        Locale.ROOT,
        "%s %d %d %d %.3f %.3f %.3f %.3f %.3f %.3f%n",
        args.string("label", "streams"),
        load.ok.get(),
        load.bad.get() + (int) load.finished.getCount(),
        load.over.get(),
        t.getValueAtPercentile(50) / 1000.0,
        t.getValueAtPercentile(99) / 1000.0,
        load.gapSum.get() / Math.max(1.0, load.gapCount.get()) / 1000.0,
        g.getValueAtPercentile(50) / 1000.0,
        g.getValueAtPercentile(99) / 1000.0,
        g.getMaxValue() / 1000.0);
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }

  /** One connection, streams one after another. */
  private final class Stream extends SimpleChannelInboundHandler<HttpObject> {
    private Channel channel;
    private final StringBuilder pending = new StringBuilder();
    private long sent;
    private long last;
    private int expected;
    private boolean broken;
    private boolean done;
    private boolean active;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      channel = ctx.channel();
    }

    void next() {
      if (remaining.getAndDecrement() <= 0) {
        return;
      }
      pending.setLength(0);
      expected = 0;
      broken = false;
      done = false;
      active = true;
      sent = System.nanoTime();
      channel.writeAndFlush(Http.request(uri, body, headers));
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
      if (msg instanceof HttpResponse response && response.status().code() != 200) {
        broken = true;
      }
      if (msg instanceof HttpContent content) {
        long now = System.nanoTime();
        pending.append(content.content().toString(StandardCharsets.UTF_8));
        int end;
        while ((end = pending.indexOf("\n\n")) >= 0) {
          event(pending.substring(0, end), now);
          pending.delete(0, end + 2);
        }
      }
      if (msg instanceof LastHttpContent && active) {
        active = false;
        if (broken || !done || expected != tokens) {
          bad.incrementAndGet();
        } else {
          ok.incrementAndGet();
        }
        finished.countDown();
        next();
      }
    }

    private void event(String event, long now) {
      if (event.startsWith("data: [DONE]")) {
        done = true;
        return;
      }
      int at = event.indexOf("\"content\":\"t");
      if (at < 0) {
        return; // role or finish chunk
      }
      if (event.indexOf("\"content\":\"t", at + 1) >= 0) {
        broken = true; // two tokens in one event
      }
      int from = at + "\"content\":\"t".length();
      int to = event.indexOf(' ', from);
      int index = to < 0 ? -1 : Integer.parseInt(event.substring(from, to));
      if (index != expected) {
        broken = true;
      }
      expected++;
      if (index == 0) {
        ttft.recordValue((now - sent) / 1000);
      } else {
        long gap = (now - last) / 1000;
        gaps.recordValue(gap);
        gapSum.addAndGet(gap);
        gapCount.incrementAndGet();
        if (gap > maxGapMicros) {
          over.incrementAndGet();
        }
      }
      last = now;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (active) {
        active = false;
        bad.incrementAndGet();
        finished.countDown();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
