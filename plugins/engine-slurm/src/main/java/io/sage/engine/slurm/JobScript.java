package io.sage.engine.slurm;

import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import io.sage.spi.engine.LaunchCommand;
import io.sage.spi.job.RemoteJobs;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The batch script of one engine job. It picks a free port on the node it lands on, reports {@code
 * sage-endpoint=<node>:<port>} in the job's comment (through {@code scontrol update}, so the
 * gateway reads it with the job's state and needs no shared filesystem for it), then execs the
 * inner runtime's command with that port. Every word of the command is single-quoted; the script is
 * fed to sbatch on standard input, so the engine key it exports never lands in a file of ours.
 */
final class JobScript {
  static final String ENDPOINT_PREFIX = "sage-endpoint=";

  private JobScript() {}

  static String build(
      String engineId, LaunchCommand command, int[] portRange, String scontrol, String workDir) {
    List<String> argv = new ArrayList<>(command.argv());
    int portAt = portArgument(argv);
    if (portAt < 0) {
      throw new SageException(
          ErrorCode.LAUNCH_FAILED,
          "engine " + engineId + ": the inner runtime's command takes no --port; cannot run it");
    }
    StringBuilder s = new StringBuilder();
    s.append("#!/bin/sh\n");
    s.append("# SAGE engine ").append(engineId).append(": written by the slurm runtime\n");
    s.append("first=").append(portRange[0]).append("; last=").append(portRange[1]).append('\n');
    s.append(
        """
        tries=0
        while :; do
          r=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
          port=$((first + r % (last - first + 1)))
          hex=$(printf '%04X' "$port")
          if ! grep -q ":$hex " /proc/net/tcp /proc/net/tcp6 2>/dev/null; then break; fi
          tries=$((tries + 1))
          if [ "$tries" -ge 500 ]; then echo "sage: no free port in $first-$last" >&2; exit 75; fi
        done
        node=$(hostname)
        """);
    s.append(quote(scontrol))
        .append(" update JobId=\"$SLURM_JOB_ID\" Comment=\"")
        .append(ENDPOINT_PREFIX)
        .append(
            "$node:$port\" || { echo \"sage: could not report the endpoint\" >&2; exit 76; }\n");
    s.append("echo \"sage: engine ")
        .append(engineId)
        .append(" in Slurm job $SLURM_JOB_ID on $node port $port,")
        .append(" CUDA_VISIBLE_DEVICES=${CUDA_VISIBLE_DEVICES:-}\"\n");
    for (Map.Entry<String, String> e : new TreeMap<>(command.environment()).entrySet()) {
      if (!e.getKey().matches("[A-Za-z_][A-Za-z0-9_]*")) {
        throw new SageException(
            ErrorCode.LAUNCH_FAILED, "engine " + engineId + ": bad variable name " + e.getKey());
      }
      s.append("export ").append(e.getKey()).append('=').append(quote(e.getValue())).append('\n');
    }
    String dir = workDir != null ? workDir : command.workingDirectory().toString();
    s.append("mkdir -p ").append(quote(dir)).append(" 2>/dev/null; cd ").append(quote(dir));
    s.append(" 2>/dev/null || cd /tmp\n");
    s.append("exec");
    for (int i = 0; i < argv.size(); i++) {
      s.append(' ');
      if (i == portAt) {
        s.append(argv.get(i).startsWith("--port=") ? "--port=\"$port\"" : "\"$port\"");
      } else {
        s.append(quote(argv.get(i)));
      }
    }
    s.append('\n');
    return s.toString();
  }

  /** Index of the port word ({@code --port N} or {@code --port=N}), or -1. */
  static int portArgument(List<String> argv) {
    String placeholder = Integer.toString(RemoteJobs.PORT_PLACEHOLDER);
    for (int i = 0; i < argv.size(); i++) {
      if (argv.get(i).equals("--port=" + placeholder)) {
        return i;
      }
      if (argv.get(i).equals("--port") && i + 1 < argv.size()) {
        return argv.get(i + 1).equals(placeholder) ? i + 1 : -1;
      }
    }
    return -1;
  }

  /** A single-quoted shell word: nothing inside is interpreted. */
  static String quote(String word) {
    return "'" + word.replace("'", "'\\''") + "'";
  }
}
