package io.sage.engine.vllm;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The vLLM runtime's engine options, parsed from the SPI's string map.
 *
 * @param vllmCommand the executable to run instead of {@code SAGE_VLLM_COMMAND} / {@code vllm}
 * @param gpuMemoryUtilization the share of each GPU's memory vLLM may take, in (0, 1]
 * @param gpuMemoryGb memory the host's placement reserves per GPU; vLLM itself never sees it
 */
record VllmOptions(
    Optional<String> vllmCommand,
    Optional<BigDecimal> gpuMemoryUtilization,
    Optional<BigDecimal> gpuMemoryGb) {
  static final String VLLM_COMMAND = "vllm_command";
  static final String GPU_MEMORY_UTILIZATION = "gpu_memory_utilization";
  static final String GPU_MEMORY_GB = "gpu_memory_gb";
  static final BigDecimal MIN_GPU_MEMORY_GB = new BigDecimal("0.125");
  static final BigDecimal MAX_GPU_MEMORY_GB = new BigDecimal("1000000");
  static final Set<String> NAMES = Set.of(VLLM_COMMAND, GPU_MEMORY_UTILIZATION, GPU_MEMORY_GB);

  VllmOptions {
    vllmCommand = vllmCommand == null ? Optional.empty() : vllmCommand;
    gpuMemoryUtilization = gpuMemoryUtilization == null ? Optional.empty() : gpuMemoryUtilization;
    gpuMemoryGb = gpuMemoryGb == null ? Optional.empty() : gpuMemoryGb;
  }

  /** The parsed options and every problem found on the way. */
  record Parsed(VllmOptions options, List<String> problems) {
    Parsed {
      problems = List.copyOf(problems);
    }
  }

  static Parsed parse(Map<String, String> raw) {
    List<String> problems = new ArrayList<>();
    for (String name : new TreeSet<>(raw.keySet())) {
      if (!NAMES.contains(name)) {
        problems.add(
            "unknown option '"
                + name
                + "' for runtime vllm (accepted: "
                + String.join(", ", new TreeSet<>(NAMES))
                + ")");
      }
    }
    Optional<String> command = Optional.ofNullable(raw.get(VLLM_COMMAND)).map(String::trim);
    command.ifPresent(value -> problems.addAll(commandProblems(value)));
    Optional<BigDecimal> utilization =
        number(raw, GPU_MEMORY_UTILIZATION, problems)
            .filter(
                u -> {
                  boolean valid = u.signum() > 0 && u.compareTo(BigDecimal.ONE) <= 0;
                  if (!valid) {
                    problems.add(
                        "option gpu_memory_utilization must be above 0 and at most 1, got " + u);
                  }
                  return valid;
                });
    Optional<BigDecimal> memoryGb =
        number(raw, GPU_MEMORY_GB, problems)
            .filter(
                gb -> {
                  // a tiny figure (0.000000001) would reserve next to nothing and let every
                  // engine share a GPU; no GPU has a petabyte
                  boolean valid =
                      gb.compareTo(MIN_GPU_MEMORY_GB) >= 0 && gb.compareTo(MAX_GPU_MEMORY_GB) <= 0;
                  if (!valid) {
                    problems.add(
                        "option gpu_memory_gb must be a number of GiB per GPU from 0.125 to"
                            + " 1000000, got "
                            + gb.toPlainString());
                  }
                  return valid;
                });
    return new Parsed(new VllmOptions(command, utilization, memoryGb), problems);
  }

  private static List<String> commandProblems(String command) {
    if (command.isEmpty() || VllmArguments.hasControlCharacter(command)) {
      return List.of("option vllm_command must be a non-empty path without control characters");
    }
    if (command.chars().anyMatch(Character::isWhitespace)) {
      return List.of(
          "option vllm_command must be a single executable, not a command line ('"
              + command
              + "'); no shell runs it, so put 'python -m ...' in a wrapper script");
    }
    if (command.startsWith("-")) {
      return List.of("option vllm_command must not start with '-'");
    }
    return List.of();
  }

  private static Optional<BigDecimal> number(
      Map<String, String> raw, String name, List<String> problems) {
    String value = raw.get(name);
    if (value == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(new BigDecimal(value.trim()));
    } catch (NumberFormatException e) {
      problems.add("option " + name + " must be a number, got '" + value + "'");
      return Optional.empty();
    }
  }
}
