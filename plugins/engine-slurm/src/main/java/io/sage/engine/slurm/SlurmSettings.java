package io.sage.engine.slurm;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Function;

/**
 * Gateway-wide settings of the slurm runtime, read once from the gateway's environment when the
 * plugin loads: where the Slurm commands are, how long one may take, how often jobs are observed.
 * Slurm itself is found as usual ({@code SLURM_CONF}, DNS SRV records or {@code /etc/slurm}).
 *
 * @param binDir directory of sbatch, squeue, scontrol, scancel and sinfo, or null for {@code PATH}
 * @param commandTimeout the longest any one Slurm command may run before it is killed
 * @param pollInterval how often each engine's job is observed
 */
record SlurmSettings(Path binDir, Duration commandTimeout, Duration pollInterval) {
  static final String BIN_DIR = "SAGE_SLURM_BIN_DIR";
  static final String TIMEOUT = "SAGE_SLURM_COMMAND_TIMEOUT_MS";
  static final String POLL = "SAGE_SLURM_POLL_INTERVAL_MS";

  static SlurmSettings from(Function<String, String> env) {
    String bin = env.apply(BIN_DIR);
    return new SlurmSettings(
        bin == null || bin.isBlank() ? null : Path.of(bin.trim()),
        Duration.ofMillis(millis(env.apply(TIMEOUT), 10_000)),
        Duration.ofMillis(millis(env.apply(POLL), 3_000)));
  }

  /** The executable for a Slurm command name ({@code sbatch}). */
  String command(String name) {
    return binDir == null ? name : binDir.resolve(name).toString();
  }

  private static long millis(String value, long fallback) {
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      long parsed = Long.parseLong(value.trim());
      return parsed >= 100 ? parsed : fallback;
    } catch (NumberFormatException e) {
      return fallback;
    }
  }
}
