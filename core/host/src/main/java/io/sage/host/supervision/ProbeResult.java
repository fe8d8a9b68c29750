package io.sage.host.supervision;

/**
 * Outcome of one readiness or health probe.
 *
 * @param ok whether the engine passed
 * @param detail why it failed ({@code /health answered 503}, {@code connection refused}), or "ok"
 */
public record ProbeResult(boolean ok, String detail) {
  public static ProbeResult passed() {
    return new ProbeResult(true, "ok");
  }

  public static ProbeResult failed(String detail) {
    return new ProbeResult(false, detail);
  }
}
