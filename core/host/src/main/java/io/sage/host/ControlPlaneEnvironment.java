package io.sage.host;

import io.sage.host.process.ProcProcessTable;
import io.sage.host.process.ProcessLauncher;
import io.sage.host.process.ProcessTable;
import io.sage.host.process.SetsidProcessLauncher;
import io.sage.host.supervision.ProbeClient;
import io.sage.host.supervision.Prober;
import io.sage.host.time.Scheduler;
import io.sage.host.time.ThreadPoolScheduler;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Time and the operating system as the control plane uses them. {@link #system} is the real one;
 * tests build one from a manual scheduler, an in-memory process table and scripted probes.
 *
 * @param scheduler the clock and the timers
 * @param processes what runs, and signals
 * @param launcher how engine processes start
 * @param prober how engines are probed
 * @param jitter uniform in [0, 1), for the restart backoff's jitter
 * @param javaExecutable the java executable for runtimes that start a child JVM
 */
public record ControlPlaneEnvironment(
    Scheduler scheduler,
    ProcessTable processes,
    ProcessLauncher launcher,
    Prober prober,
    DoubleSupplier jitter,
    Path javaExecutable) {

  /** Threads, {@code /proc}, {@code setsid} and HTTP probes. */
  public static ControlPlaneEnvironment system(Clock clock, Duration probeTimeout) {
    ThreadPoolScheduler scheduler = new ThreadPoolScheduler(clock);
    return new ControlPlaneEnvironment(
        scheduler,
        new ProcProcessTable(),
        new SetsidProcessLauncher(),
        new ProbeClient(probeTimeout, scheduler.workers()),
        () -> ThreadLocalRandom.current().nextDouble(),
        Path.of(System.getProperty("java.home"), "bin", "java"));
  }
}
