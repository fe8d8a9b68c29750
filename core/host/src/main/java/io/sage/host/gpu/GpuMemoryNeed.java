package io.sage.host.gpu;

import io.sage.spi.engine.EngineRuntimeFactory;
import io.sage.spi.engine.EngineSpec;
import io.sage.spi.engine.GpuMemoryRequest;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How much memory an engine needs on each of its GPUs, and where the figure came from (shown in
 * placement errors). In order: what the runtime declares from the engine's options ({@link
 * EngineRuntimeFactory#gpuMemoryNeed}, e.g. vLLM's {@code gpu_memory_gb}); else an estimate from
 * the parameter count in the model name (2 bytes per parameter for 16-bit weights, plus 20 % for
 * activations and the CUDA context), spread over the engine's GPUs; else {@link
 * #DEFAULT_TOTAL_MIB}, spread the same way. The host reads no runtime's options itself.
 *
 * @param perGpuMib MiB to reserve on each GPU
 * @param source a phrase saying where the figure came from
 */
public record GpuMemoryNeed(long perGpuMib, String source) {
  /** Used when neither the runtime nor the model name says anything: 16 GiB. */
  public static final long DEFAULT_TOTAL_MIB = 16 * 1024;

  static final double BYTES_PER_PARAMETER = 2.0;
  static final double OVERHEAD = 1.2;
  private static final double MIB = 1024.0 * 1024.0;

  /** "7B", "0.5b", "70B", "135M", and mixtures of experts as "8x7B"; not "v2" or "4bit". */
  private static final Pattern PARAMETERS =
      Pattern.compile("(?<![a-z0-9.])(?:(\\d{1,3})x)?(\\d{1,4}(?:\\.\\d{1,3})?)([bm])(?![a-z])");

  public GpuMemoryNeed {
    if (perGpuMib <= 0) {
      throw new IllegalArgumentException("perGpuMib must be > 0, got " + perGpuMib);
    }
    java.util.Objects.requireNonNull(source, "source");
  }

  /** The need of {@code spec} on each of {@code gpuCount} GPUs, asking its runtime first. */
  public static GpuMemoryNeed of(EngineSpec spec, int gpuCount, EngineRuntimeFactory runtime) {
    return of(spec, gpuCount, runtime.gpuMemoryNeed(spec));
  }

  /** The need of {@code spec} on each of {@code gpuCount} GPUs, given what the runtime declared. */
  public static GpuMemoryNeed of(
      EngineSpec spec, int gpuCount, Optional<GpuMemoryRequest> declared) {
    if (gpuCount < 1) {
      throw new IllegalArgumentException("gpuCount must be >= 1, got " + gpuCount);
    }
    if (declared.isPresent()) {
      return new GpuMemoryNeed(declared.get().perGpuMib(), declared.get().source());
    }
    OptionalDouble billions = parameterBillions(spec.model());
    if (billions.isPresent()) {
      double totalMib = billions.getAsDouble() * 1e9 * BYTES_PER_PARAMETER * OVERHEAD / MIB;
      return new GpuMemoryNeed(
          Math.max(1, (long) Math.ceil(totalMib / gpuCount)),
          "estimated from the model name ("
              + format(billions.getAsDouble())
              + "B parameters x 2 bytes + 20 %"
              + (gpuCount > 1 ? ", over " + gpuCount + " GPUs" : "")
              + "; the runtime's options can override it)");
    }
    return new GpuMemoryNeed(
        (long) Math.ceil((double) DEFAULT_TOTAL_MIB / gpuCount),
        "default "
            + DEFAULT_TOTAL_MIB
            + " MiB"
            + (gpuCount > 1 ? " over " + gpuCount + " GPUs" : "")
            + " (no parameter count in the model name; the runtime's options can override it)");
  }

  /**
   * The parameter count in billions named in a model id ("Qwen/Qwen2.5-7B-Instruct" → 7), the
   * largest when several appear ("Qwen3-30B-A3B" → 30); empty when none does.
   */
  public static OptionalDouble parameterBillions(String model) {
    String name = model.toLowerCase(Locale.ROOT);
    int slash = name.lastIndexOf('/');
    name = slash >= 0 ? name.substring(slash + 1) : name;
    Matcher m = PARAMETERS.matcher(name);
    double best = -1;
    while (m.find()) {
      double value = Double.parseDouble(m.group(2));
      if (m.group(1) != null) {
        value *= Integer.parseInt(m.group(1));
      }
      if (m.group(3).equals("m")) {
        value /= 1000;
      }
      best = Math.max(best, value);
    }
    return best > 0 ? OptionalDouble.of(best) : OptionalDouble.empty();
  }

  private static String format(double billions) {
    return billions == Math.rint(billions)
        ? Long.toString((long) billions)
        : Double.toString(billions);
  }
}
