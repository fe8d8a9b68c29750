package io.sage.engine.slurm;

import io.sage.spi.job.JobPhase;
import io.sage.spi.job.JobStatus;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/** Reads one line of {@code scontrol show job --oneliner}: {@code Key=Value} words. */
final class SlurmJobInfo {
  private static final Pattern FIELD = Pattern.compile("\\s+(?=[A-Za-z][A-Za-z/:_]*=)");
  private static final Pattern ENDPOINT =
      Pattern.compile(Pattern.quote(JobScript.ENDPOINT_PREFIX) + "([A-Za-z0-9_.-]+):(\\d{1,5})");

  private SlurmJobInfo() {}

  static Map<String, String> fields(String line) {
    Map<String, String> fields = new HashMap<>();
    for (String word : FIELD.split(" " + line.strip())) {
      int eq = word.indexOf('=');
      if (eq > 0) {
        fields.putIfAbsent(word.substring(0, eq), word.substring(eq + 1).strip());
      }
    }
    return fields;
  }

  /** The status of the job described by {@code line}, which must be {@code expectedName}'s. */
  static JobStatus status(String line, String expectedName) {
    Map<String, String> f = fields(line);
    String name = f.getOrDefault("JobName", "");
    if (!name.equals(expectedName)) {
      return JobStatus.gone(
          "Slurm job " + f.getOrDefault("JobId", "?") + " is '" + name + "', not " + expectedName);
    }
    String state = f.getOrDefault("JobState", "UNKNOWN");
    String reason = f.getOrDefault("Reason", "");
    String exit = f.getOrDefault("ExitCode", "");
    String host = null;
    Integer port = null;
    var m = ENDPOINT.matcher(f.getOrDefault("Comment", ""));
    if (m.find()) {
      host = m.group(1);
      port = Integer.parseInt(m.group(2));
    }
    return new JobStatus(
        phase(state), state, "None".equals(reason) ? "" : reason, exit, host, port);
  }

  static JobPhase phase(String state) {
    return switch (state) {
      case "PENDING",
          "CONFIGURING",
          "REQUEUED",
          "REQUEUE_HOLD",
          "REQUEUE_FED",
          "RESIZING",
          "SUSPENDED",
          "STOPPED",
          "SIGNALING",
          "STAGE_OUT" ->
          JobPhase.QUEUED;
      case "RUNNING" -> JobPhase.RUNNING;
      // COMPLETED, COMPLETING, FAILED, TIMEOUT, NODE_FAIL, OUT_OF_MEMORY, PREEMPTED, CANCELLED,
      // BOOT_FAIL, DEADLINE, SPECIAL_EXIT, REVOKED and any newer word: the job will not serve
      default -> JobPhase.ENDED;
    };
  }
}
