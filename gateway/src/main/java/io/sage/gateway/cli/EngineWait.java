package io.sage.gateway.cli;

import io.sage.client.SageClientException;
import io.sage.client.management.EngineInfo;
import io.sage.client.management.ManagementClient;
import java.time.Duration;
import java.util.List;

/**
 * Follows an engine from STARTING until READY with one live progress line (state, elapsed time, the
 * engine's last log line). ERROR, or a stop meanwhile, fails with the reason and the engine's last
 * log lines. Interrupting only stops the waiting: the engine is never touched.
 */
final class EngineWait {
  static final int ERROR_LOG_LINES = 10;

  private final ClientOptions options;
  private final ManagementClient client;
  private final ProgressLine progress;
  private final Duration pollInterval;

  EngineWait(
      ClientOptions options,
      ManagementClient client,
      ProgressLine progress,
      Duration pollInterval) {
    this.options = options;
    this.client = client;
    this.progress = progress;
    this.pollInterval = pollInterval;
  }

  /**
   * Waits for READY and returns the engine as it is then; throws a {@link CliException} otherwise.
   */
  EngineInfo await(String id, Duration timeout) throws InterruptedException {
    long started = System.nanoTime();
    long deadline = started + timeout.toNanos();
    String lastLog = "";
    while (true) {
      EngineInfo info = options.call(() -> client.engine(id));
      lastLog = lastLogLine(id, lastLog);
      Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
      String state = info.state().name();
      progress.update(
          line(info, options.ansi().state(state), EngineFormat.elapsed(elapsed), lastLog),
          state + "|" + lastLog);
      switch (info.state()) {
        case READY:
          progress.finish();
          return info;
        case ERROR:
          progress.finish();
          throw failed(
              info,
              "went to ERROR: "
                  + (info.lastError() == null ? "no reason reported" : info.lastError()));
        case STOPPED:
        case DRAINING:
          progress.finish();
          throw failed(
              info,
              "was stopped while starting ("
                  + state
                  + ")"
                  + (info.lastError() == null ? "" : ": " + info.lastError()));
        case STARTING:
        case UNKNOWN:
          break;
      }
      if (System.nanoTime() > deadline) {
        progress.finish();
        throw new CliException(
            SageCli.FAILED,
            "engine "
                + id
                + " not READY after "
                + timeout.toSeconds()
                + " s (still "
                + state
                + "); it keeps starting: watch it with `sage llm engine show "
                + id
                + "`");
      }
      Thread.sleep(pollInterval.toMillis());
    }
  }

  private static String line(EngineInfo info, String state, String elapsed, String lastLog) {
    String text = "engine " + info.id() + " " + state + " " + elapsed;
    return lastLog.isBlank() ? text : text + "  | " + lastLog;
  }

  /**
   * The engine's newest log line; a failure to read it keeps the previous one (progress is best
   * effort).
   */
  private String lastLogLine(String id, String previous) {
    try {
      List<String> lines = client.logs(id, 1).lines().filter(l -> !l.isBlank()).toList();
      return lines.isEmpty() ? previous : lines.get(lines.size() - 1).strip();
    } catch (SageClientException e) {
      return previous;
    }
  }

  private CliException failed(EngineInfo info, String what) {
    StringBuilder message =
        new StringBuilder("engine " + info.id() + " (" + info.model() + ") " + what);
    try {
      String logs = client.logs(info.id(), ERROR_LOG_LINES);
      if (!logs.isBlank()) {
        message.append("\nlast log lines of engine ").append(info.id()).append(':');
        logs.lines().forEach(l -> message.append("\n  ").append(l));
      }
    } catch (SageClientException e) {
      message.append("\n(its log could not be read: ").append(e.errorMessage()).append(')');
    }
    return new CliException(SageCli.FAILED, message.toString());
  }
}
