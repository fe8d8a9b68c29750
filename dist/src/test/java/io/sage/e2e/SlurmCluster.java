package io.sage.e2e;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real single-node Slurm cluster for tests: Debian's munged, slurmctld and slurmd, run in the
 * foreground as children of the test JVM, configured in a temp dir through {@code SLURM_CONF} (own
 * munge key and socket, own state and spool dirs, free ports, {@code select/cons_tres}, one
 * partition, two GRES GPUs declared with {@code File=} character devices created here, so that
 * placement and {@code CUDA_VISIBLE_DEVICES} are Slurm's own). {@link #close()} cancels every job,
 * stops the daemons and kills whatever job process is left; also on failure (and at JVM exit).
 *
 * <p>Runs as root (SlurmUser=root, SlurmdUser=root), as the test machines do.
 */
public final class SlurmCluster implements AutoCloseable {
  public static final String PARTITION = "gpu";
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(20);

  private final Path dir;
  private final String node;
  private final Map<String, String> env;
  private final List<Process> daemons = new ArrayList<>();
  private Process slurmctld;
  private final Thread shutdownHook = new Thread(this::stopQuietly, "slurm-cluster-stop");

  private SlurmCluster(Path dir, String node) {
    this.dir = dir;
    this.node = node;
    this.env = Map.of("SLURM_CONF", dir.resolve("slurm.conf").toString());
  }

  /** Configures and starts the cluster in {@code dir}; returns once its node is idle. */
  public static SlurmCluster start(Path dir) {
    for (String binary :
        List.of("/usr/sbin/munged", "/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/bin/sbatch")) {
      if (!Files.isExecutable(Path.of(binary))) {
        throw new IllegalStateException(
            binary + " is missing: install slurmctld slurmd slurm-client munge (.ci/run does)");
      }
    }
    SlurmCluster cluster = new SlurmCluster(dir.toAbsolutePath(), shortHostName());
    Runtime.getRuntime().addShutdownHook(cluster.shutdownHook);
    try {
      cluster.configure();
      cluster.startDaemons();
      cluster.awaitIdle(Duration.ofSeconds(60));
      return cluster;
    } catch (IOException | RuntimeException e) {
      String logs = cluster.daemonLogs();
      cluster.close();
      throw new IllegalStateException("Slurm cluster did not start: " + e + "\n" + logs, e);
    }
  }

  private static String shortHostName() {
    try {
      String name = InetAddress.getLocalHost().getHostName();
      int dot = name.indexOf('.');
      return dot > 0 ? name.substring(0, dot) : name;
    } catch (IOException e) {
      throw new IllegalStateException("no host name", e);
    }
  }

  /** The environment that points Slurm's commands (and the gateway) at this cluster. */
  public Map<String, String> env() {
    return env;
  }

  public String node() {
    return node;
  }

  public Path dir() {
    return dir;
  }

  private void configure() throws IOException {
    for (String sub : List.of("munge", "state", "spool", "log", "dev")) {
      Files.createDirectories(dir.resolve(sub));
    }
    Files.setPosixFilePermissions(
        dir.resolve("munge"), PosixFilePermissions.fromString("rwx------"));
    byte[] key = new byte[1024];
    new SecureRandom().nextBytes(key);
    Path keyFile = dir.resolve("munge/munge.key");
    Files.write(keyFile, key);
    Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
    gpuDevice("nvidia0", 3, "/dev/null");
    gpuDevice("nvidia1", 5, "/dev/zero");
    int ctldPort = Ports.free();
    int slurmdPort = Ports.free();
    String conf =
        String.join(
            "\n",
            "ClusterName=sagetest",
            "SlurmctldHost=" + node,
            "SlurmctldPort=" + ctldPort,
            "SlurmdPort=" + slurmdPort,
            "SlurmUser=root",
            "SlurmdUser=root",
            "AuthType=auth/munge",
            "CredType=cred/munge",
            "AuthInfo=socket=" + dir.resolve("munge/munge.socket"),
            "StateSaveLocation=" + dir.resolve("state"),
            "SlurmdSpoolDir=" + dir.resolve("spool"),
            "SlurmctldPidFile=" + dir.resolve("slurmctld.pid"),
            "SlurmdPidFile=" + dir.resolve("slurmd.pid"),
            "SlurmctldLogFile=" + dir.resolve("log/slurmctld.log"),
            "SlurmdLogFile=" + dir.resolve("log/slurmd.log"),
            "ProctrackType=proctrack/linuxproc",
            "TaskPlugin=task/none",
            "SelectType=select/cons_tres",
            "SelectTypeParameters=CR_Core",
            "SchedulerType=sched/backfill",
            "AccountingStorageType=accounting_storage/none",
            "JobAcctGatherType=jobacct_gather/none",
            "JobCompType=jobcomp/none",
            "MpiDefault=none",
            "ReturnToService=2",
            "GresTypes=gpu",
            "SlurmdParameters=config_overrides",
            "MinJobAge=600",
            "KillWait=5",
            "SchedulerParameters=sched_interval=2",
            "NodeName=" + node + " CPUs=8 RealMemory=4000 Gres=gpu:2 State=UNKNOWN",
            "PartitionName="
                + PARTITION
                + " Nodes="
                + node
                + " Default=YES MaxTime=INFINITE State=UP",
            "");
    Files.writeString(dir.resolve("slurm.conf"), conf);
    Files.writeString(
        dir.resolve("gres.conf"),
        "NodeName=" + node + " Name=gpu File=" + dir.resolve("dev") + "/nvidia[0-1]\n");
  }

  /** A character device for a GRES GPU: mknod when allowed, else a link to one that exists. */
  private void gpuDevice(String name, int minor, String fallback) throws IOException {
    Path device = dir.resolve("dev").resolve(name);
    Result made = run(List.of("mknod", device.toString(), "c", "1", Integer.toString(minor)));
    if (!made.ok()) {
      Files.createSymbolicLink(device, Path.of(fallback));
    }
  }

  private void startDaemons() throws IOException {
    daemons.add(
        daemon(
            "munged",
            List.of(
                "/usr/sbin/munged",
                "--foreground",
                "--force",
                "--socket=" + dir.resolve("munge/munge.socket"),
                "--key-file=" + dir.resolve("munge/munge.key"),
                "--pid-file=" + dir.resolve("munge/munged.pid"),
                "--log-file=" + dir.resolve("munge/munged.log"),
                "--seed-file=" + dir.resolve("munge/munged.seed"))));
    awaitFile(dir.resolve("munge/munge.socket"), Duration.ofSeconds(10));
    slurmctld = daemon("slurmctld", List.of("/usr/sbin/slurmctld", "-D", "-i"));
    daemons.add(slurmctld);
    daemons.add(daemon("slurmd", List.of("/usr/sbin/slurmd", "-D", "-N", node)));
  }

  private Process daemon(String name, List<String> argv) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(argv);
    builder.environment().putAll(env);
    builder.redirectErrorStream(true);
    builder.redirectOutput(dir.resolve("log/" + name + ".out").toFile());
    return builder.start();
  }

  /** Stops the controller (Slurm down), keeping its state. */
  public void stopController() {
    if (slurmctld != null) {
      daemons.remove(slurmctld);
      stop(slurmctld);
      slurmctld = null;
    }
  }

  /** Starts the controller again; it recovers its jobs from the state dir. */
  public void startController() {
    try {
      slurmctld = daemon("slurmctld", List.of("/usr/sbin/slurmctld", "-D"));
      daemons.add(slurmctld);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    try {
      Await.until(
          "slurmctld answering", Duration.ofSeconds(30), () -> command("squeue", "-h").ok());
    } catch (AssertionError e) {
      throw new IllegalStateException("slurmctld did not come back:\n" + daemonLogs(), e);
    }
  }

  private void awaitIdle(Duration timeout) {
    Await.until(
        "the node idle",
        timeout,
        () -> command("sinfo", "-h", "-N", "-o", "%T"),
        last -> last.ok() && last.out().strip().equals("idle"));
  }

  private static void awaitFile(Path file, Duration timeout) {
    Await.until(file + " to appear", timeout, () -> Files.exists(file));
  }

  /** Submits a job with {@code sbatch --parsable args...}; returns its id. */
  public String sbatch(String... args) {
    List<String> argv = new ArrayList<>(List.of("sbatch", "--parsable", "--output=/dev/null"));
    argv.addAll(List.of(args));
    Result result = command(argv.toArray(String[]::new));
    if (!result.ok()) {
      throw new IllegalStateException("sbatch failed: " + result);
    }
    return result.out().strip().split(";")[0];
  }

  public void scancel(String jobId) {
    Result result = command("scancel", jobId);
    if (!result.ok()) {
      throw new IllegalStateException("scancel failed: " + result);
    }
  }

  /** Ids of the jobs named {@code name} that Slurm still has queued or running. */
  public List<String> activeJobs(String name) {
    Result result = command("squeue", "-h", "--name=" + name, "-o", "%i");
    if (!result.ok()) {
      throw new IllegalStateException("squeue failed: " + result);
    }
    return result.out().lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
  }

  /** Every job Slurm knows (any state), as {@code id|name|state} lines. */
  public List<String> allJobs() {
    Result result = command("squeue", "-h", "-t", "all", "-o", "%i|%j|%T");
    return result.out().lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
  }

  /** Waits until Slurm reports {@code state} for the job. */
  public void awaitJobState(String jobId, String state, Duration timeout) {
    Await.until(
        "job " + jobId + " " + state,
        timeout,
        () -> command("squeue", "-h", "-t", "all", "-j", jobId, "-o", "%T"),
        last -> last.ok() && last.out().strip().equals(state));
  }

  public Result command(String... argv) {
    return run(List.of(argv));
  }

  private Result run(List<String> argv) {
    try {
      ProcessBuilder builder = new ProcessBuilder(argv);
      builder.environment().putAll(env);
      Path out = Files.createTempFile(dir, "cmd", ".out");
      builder.redirectErrorStream(true);
      builder.redirectOutput(out.toFile());
      Process process = builder.start();
      if (!process.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return new Result(-1, "timed out: " + argv);
      }
      String text = Files.readString(out, StandardCharsets.UTF_8);
      Files.deleteIfExists(out);
      return new Result(process.exitValue(), text);
    } catch (IOException e) {
      return new Result(-1, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(-1, "interrupted");
    }
  }

  /** A finished command: exit code and output (stdout and stderr together). */
  public record Result(int exit, String out) {
    public boolean ok() {
      return exit == 0;
    }
  }

  public String daemonLogs() {
    StringBuilder text = new StringBuilder();
    for (String name :
        List.of("log/slurmctld.log", "log/slurmd.log", "log/slurmctld.out", "log/slurmd.out")) {
      Path log = dir.resolve(name);
      try {
        if (Files.exists(log)) {
          List<String> lines = Files.readAllLines(log);
          text.append("--- ").append(name).append('\n');
          lines
              .subList(Math.max(0, lines.size() - 30), lines.size())
              .forEach(l -> text.append(l).append('\n'));
        }
      } catch (IOException e) {
        text.append(name).append(": ").append(e).append('\n');
      }
    }
    return text.toString();
  }

  @Override
  public void close() {
    stopQuietly();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // the JVM is exiting: the hook runs anyway
    }
  }

  private synchronized void stopQuietly() {
    if (daemons.isEmpty()) {
      return;
    }
    if (slurmctld != null && slurmctld.isAlive()) {
      command("scancel", "--full", "--user=root");
      try {
        Await.until(
            "every job gone",
            Duration.ofSeconds(20),
            () -> command("squeue", "-h").out().isBlank());
      } catch (AssertionError e) {
        // stopping the daemons below ends what is left
      }
    }
    List<Process> reversed = new ArrayList<>(daemons);
    java.util.Collections.reverse(reversed);
    reversed.forEach(SlurmCluster::stop);
    daemons.clear();
    killJobLeftovers();
  }

  private static void stop(Process process) {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  /** Job processes (slurmstepd and what it ran) whose environment names this cluster's config. */
  private void killJobLeftovers() {
    String marker = "SLURM_CONF=" + env.get("SLURM_CONF");
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      procs
          .filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
          .forEach(
              p -> {
                try {
                  String environ =
                      new String(Files.readAllBytes(p.resolve("environ")), StandardCharsets.UTF_8);
                  long pid = Long.parseLong(p.getFileName().toString());
                  if (pid != ProcessHandle.current().pid()
                      && List.of(environ.split("\0")).contains(marker)) {
                    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                  }
                } catch (IOException | RuntimeException e) {
                  // gone, or not readable
                }
              });
    } catch (IOException e) {
      // nothing to clean
    }
  }
}
