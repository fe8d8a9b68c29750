package io.sage.host.gpu;

import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import io.sage.spi.engine.EngineSpec;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How much memory an engine needs on each of its GPUs, and where the figure came from (shown in
 * placement errors). In order: option {@code gpu_memory_gb} (per GPU, as vLLM's own memory settings
 * are); else an estimate from the parameter count in the model name (2 bytes per parameter for
 * 16-bit weights, plus 20 % for activations and the CUDA context), spread over the engine's GPUs;
 * else {@link #DEFAULT_TOTAL_MIB}, spread the same way.
 *
 * @param perGpuMib MiB to reserve on each GPU
 * @param source a phrase saying where the figure came from
 */
public record GpuMemoryNeed(long perGpuMib, String source) {
  public static final String OPTION = "gpu_memory_gb";

  /** Used when neither the option nor the model name says anything: 16 GiB. */
  public static final long DEFAULT_TOTAL_MIB = 16 * 1024;

  /** Smallest {@code gpu_memory_gb} taken: 128 MiB; no engine runs in less. */
  public static final double MIN_GB = 0.125;

  /** Largest {@code gpu_memory_gb} taken (no GPU has a petabyte). */
  public static final double MAX_GB = 1_000_000;

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

  /**
   * The need of {@code spec} on each of {@code gpuCount} GPUs.
   *
   * @throws SageException INVALID_OPTION when {@code gpu_memory_gb} is not a positive number
   */
  public static GpuMemoryNeed of(EngineSpec spec, int gpuCount) {
    if (gpuCount < 1) {
      throw new IllegalArgumentException("gpuCount must be >= 1, got " + gpuCount);
    }
    String option = spec.options().get(OPTION);
    if (option != null) {
      double gb;
      try {
        gb = Double.parseDouble(option.trim());
      } catch (NumberFormatException e) {
        gb = -1;
      }
      if (!(gb >= MIN_GB) || Double.isInfinite(gb) || gb > MAX_GB) {
        // a tiny figure (0.000000001) would reserve next to nothing and let every engine share a
        // GPU
        throw new SageException(
            ErrorCode.INVALID_OPTION,
            "option "
                + OPTION
                + " must be a number of GiB per GPU from "
                + MIN_GB
                + " to "
                + (long) MAX_GB
                + ", got '"
                + (option.length() > 40 ? option.substring(0, 40) + "..." : option)
                + "'",
            OPTION);
      }
      return new GpuMemoryNeed(
          (long) Math.ceil(gb * 1024), "option " + OPTION + "=" + option.trim() + " per GPU");
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
              + "; set option "
              + OPTION
              + " to override)");
    }
    return new GpuMemoryNeed(
        (long) Math.ceil((double) DEFAULT_TOTAL_MIB / gpuCount),
        "default "
            + DEFAULT_TOTAL_MIB
            + " MiB"
            + (gpuCount > 1 ? " over " + gpuCount + " GPUs" : "")
            + " (no parameter count in the model name; set option "
            + OPTION
            + ")");
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
