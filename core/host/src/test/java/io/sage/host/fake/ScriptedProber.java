package io.sage.host.fake;

import io.sage.host.supervision.ProbeResult;
import io.sage.host.supervision.Prober;
import io.sage.spi.engine.HealthProbe;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Probes answered from a script: per base URL, healthy or failing with a reason, or left pending (a
 * hung engine). Every probe is recorded.
 */
public final class ScriptedProber implements Prober {
  private final Map<String, ProbeResult> answers = new ConcurrentHashMap<>();
  private final Map<String, Boolean> hanging = new ConcurrentHashMap<>();
  private final List<String> probed = new ArrayList<>();
  private final List<CompletableFuture<ProbeResult>> held = new ArrayList<>();
  private volatile boolean holding;
  private volatile ProbeResult fallback = ProbeResult.failed("connection refused");

  /** From now on every probe waits until {@link #release} answers it: late probes, on purpose. */
  public void holdAll() {
    holding = true;
  }

  /** Answers every probe that is waiting with {@code result}; returns how many there were. */
  public int release(ProbeResult result) {
    List<CompletableFuture<ProbeResult>> waiting;
    synchronized (this) {
      waiting = new ArrayList<>(held);
      held.clear();
    }
    waiting.forEach(f -> f.complete(result));
    return waiting.size();
  }

  public void healthy(String baseUrl) {
    hanging.remove(baseUrl);
    answers.put(baseUrl, ProbeResult.passed());
  }

  public void failing(String baseUrl, String detail) {
    hanging.remove(baseUrl);
    answers.put(baseUrl, ProbeResult.failed(detail));
  }

  /** Probes of this engine never answer. */
  public void hang(String baseUrl) {
    hanging.put(baseUrl, true);
  }

  /** What engines not in the script answer. */
  public void otherwise(ProbeResult result) {
    fallback = result;
  }

  public synchronized int probesOf(String baseUrl) {
    return (int) probed.stream().filter(baseUrl::equals).count();
  }

  @Override
  public CompletableFuture<ProbeResult> probe(
      String baseUrl, HealthProbe probe, String servedModel, String apiKey) {
    synchronized (this) {
      probed.add(baseUrl);
    }
    if (hanging.containsKey(baseUrl)) {
      return new CompletableFuture<>();
    }
    if (holding) {
      CompletableFuture<ProbeResult> later = new CompletableFuture<>();
      synchronized (this) {
        held.add(later);
      }
      return later;
    }
    return CompletableFuture.completedFuture(answers.getOrDefault(baseUrl, fallback));
  }
}
