package io.sage.gateway.cli;

import io.sage.gateway.GatewayServer;
import io.sage.gateway.config.ConfigException;
import io.sage.gateway.config.ConfigFile;
import io.sage.gateway.config.ServerConfig;
import io.sage.gateway.wiring.DataDirLock;
import io.sage.gateway.wiring.DataDirs;
import io.sage.gateway.wiring.GatewayPaths;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sage gateway start|stop|status|logs|restart}. */
@Command(
    name = "gateway",
    mixinStandardHelpOptions = true,
    description = "Start, stop and inspect the gateway process.",
    subcommands = {
      GatewayCommand.Start.class,
      GatewayCommand.Stop.class,
      GatewayCommand.Status.class,
      GatewayLogsCommand.class,
      GatewayCommand.Restart.class
    })
final class GatewayCommand {

  static class DataDirOption {
    @Option(names = "--data-dir", description = "Data dir (default: $SAGE_HOME, else ~/.sage).")
    String dataDir;

    Path dataDir() {
      return GatewayPaths.dataDir(dataDir);
    }
  }

  @Command(
      name = "start",
      mixinStandardHelpOptions = true,
      description = "Start the gateway in the background and wait until /health answers.",
      footer = {
        "",
        "Examples:",
        "  sage gateway start",
        "  sage gateway start --port 9000 --data-dir /srv/sage --demo"
      })
  static final class Start implements Callable<Integer> {
    @picocli.CommandLine.Mixin DataDirOption data = new DataDirOption();

    @Option(names = "--port", description = "Port to listen on (default 8000).")
    Integer port;

    @Option(names = "--host", description = "Address to bind (default 127.0.0.1).")
    String host;

    @Option(names = "--plugins-dir", description = "Extra plugin folder (repeatable).")
    List<String> pluginDirs = new ArrayList<>();

    @Option(names = "--foreground", description = "Run in this process instead of the background.")
    boolean foreground;

    @Option(
        names = "--demo",
        description = "Also start the demo engines (a mock chat model and an embedding model).")
    boolean demo;

    @Option(names = "--timeout", description = "Seconds to wait for /health (default 120).")
    int timeoutSeconds = 120;

    @Option(
        names = "--config",
        paramLabel = "FILE",
        description = "Config file (default: <data-dir>/sage.yml when it exists).")
    Path config;

    @Override
    public Integer call() throws Exception {
      Path dataDir = data.dataDir();
      ServerConfig server = checkedConfigOf(dataDir, config).server();
      int effectivePort = port == null ? server.port() : port;
      String effectiveHost = host == null ? server.host() : host;
      if (foreground) {
        GatewayServer.start(
            new GatewayServer.Settings(host, port, dataDir, pluginDirs, demo, config));
        Thread.currentThread().join();
        return SageCli.OK;
      }
      Optional<Long> running = GatewayProcesses.runningPid(dataDir);
      String url = "http://" + GatewayUrl.reachableHost(effectiveHost) + ":" + effectivePort;
      if (running.isPresent()) {
        System.out.println(
            "gateway already running (pid " + running.get() + ", data dir " + dataDir + ")");
        return SageCli.OK;
      }
      if (!portFree(effectiveHost, effectivePort)) {
        throw new CliException(
            SageCli.FAILED,
            "port "
                + effectivePort
                + " on "
                + effectiveHost
                + " is already in use by another program; choose another with --port");
      }
      DataDirs.createPrivate(dataDir);
      DataDirs.createPrivate(dataDir.resolve("logs"));
      Path log = GatewayPaths.logFile(dataDir);
      Path console = GatewayPaths.consoleFile(dataDir);
      DataDirs.touchPrivate(log);
      DataDirs.touchPrivate(console);
      String classPath = System.getProperty("java.class.path");
      List<String> argv = new ArrayList<>();
      argv.add(GatewayProcesses.java());
      // the gateway log is written by logback, rotated by size (docs/operations.md); the console
      // file only catches what the JVM prints outside logback
      argv.add("-Dlogback.configurationFile=logback-gateway-file.xml");
      argv.add("-Dsage.log.file=" + log);
      argv.addAll(
          GatewayJvm.options(GatewayJvm.cacheDir(System.getenv(), dataDir), classPath, null));
      // a bounded heap: an oversized request is refused, it cannot grow the JVM until the OOM
      // killer (SAGE_GATEWAY_HEAP); the operator's own flags come last and win
      argv.add("-Xmx" + GatewayProcesses.heap());
      argv.addAll(GatewayProcesses.extraJavaOptions());
      String extra = System.getenv("SAGE_GATEWAY_JAVA_OPTS");
      if (extra != null && !extra.isBlank()) {
        argv.addAll(List.of(extra.trim().split("\\s+")));
      }
      argv.addAll(
          List.of(
              "-cp",
              classPath,
              SageCli.class.getName(),
              "gateway",
              "start",
              "--foreground",
              "--data-dir",
              dataDir.toString()));
      if (port != null) {
        argv.addAll(List.of("--port", port.toString()));
      }
      if (host != null) {
        argv.addAll(List.of("--host", host));
      }
      for (String dir : pluginDirs) {
        argv.addAll(List.of("--plugins-dir", dir));
      }
      if (demo) {
        argv.add("--demo");
      }
      if (config != null) {
        argv.addAll(List.of("--config", config.toAbsolutePath().toString()));
      }
      List<String> launched = new ArrayList<>();
      launched.add(Files.isExecutable(Path.of("/usr/bin/setsid")) ? "/usr/bin/setsid" : "setsid");
      launched.addAll(argv);
      ProcessBuilder builder =
          new ProcessBuilder(launched)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(console.toFile()))
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      GatewayJvm.environment(builder.environment());
      Process process = builder.start();
      System.out.print("starting gateway (log " + log + ") ");
      System.out.flush();
      long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
      int polls = 0;
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          System.out.println();
          throw new CliException(
              SageCli.FAILED,
              "gateway exited with code "
                  + process.exitValue()
                  + " during startup; last log lines:\n"
                  + String.join("\n", GatewayProcesses.tail(log, 15))
                  + "\n"
                  + String.join("\n", GatewayProcesses.tail(console, 5)));
        }
        // ready once it answers and has finished starting: it writes its pid file last
        if (healthy(url) && recordsPid(dataDir, process.pid())) {
          System.out.println();
          if (demo) {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
            DemoWait.awaitDemoEngines(http, url, dataDir, deadline);
          }
          System.out.println("gateway ready at " + url);
          System.out.println("  pid      " + process.pid());
          System.out.println("  data dir " + dataDir);
          System.out.println("  log      " + log);
          return SageCli.OK;
        }
        if (++polls % 10 == 0) {
          System.out.print(".");
          System.out.flush();
        }
        Thread.sleep(25);
      }
      System.out.println();
      throw new CliException(
          SageCli.FAILED,
          "gateway did not answer /health within " + timeoutSeconds + " s; see " + log);
    }
  }

  /** The config file, read before anything starts; a problem ends the command with one line. */
  static ConfigFile.Loaded checkedConfigOf(Path dataDir, Path config) {
    try {
      return ConfigFile.load(dataDir, config);
    } catch (ConfigException e) {
      throw new CliException(SageCli.FAILED, e.getMessage());
    }
  }

  @Command(
      name = "stop",
      mixinStandardHelpOptions = true,
      description = "Stop the gateway; its engines are drained and stopped unless --keep-engines.",
      footer = {"", "Examples:", "  sage gateway stop", "  sage gateway stop --keep-engines"})
  static final class Stop implements Callable<Integer> {
    @picocli.CommandLine.Mixin DataDirOption data = new DataDirOption();

    @Option(
        names = "--force",
        description = "Kill the gateway (SIGKILL) if it does not stop in time.")
    boolean force;

    @Option(
        names = "--keep-engines",
        description = "Leave engines running; the next start adopts them.")
    boolean keepEngines;

    @Option(
        names = "--timeout",
        description = "Seconds to wait for the gateway to exit (default 90).")
    int timeoutSeconds = 90;

    @Override
    public Integer call() throws Exception {
      Path dataDir = data.dataDir();
      Optional<Long> pid = GatewayProcesses.runningPid(dataDir);
      if (pid.isEmpty()) {
        System.out.println("gateway is not running (data dir " + dataDir + ")");
        return SageCli.OK;
      }
      if (keepEngines) {
        Files.writeString(GatewayPaths.keepEnginesFlag(dataDir), "keep");
      }
      Optional<ProcessHandle> process = ProcessHandle.of(pid.get());
      process.ifPresent(ProcessHandle::destroy);
      System.out.print(
          "stopping gateway (pid "
              + pid.get()
              + ")"
              + (keepEngines ? ", keeping engines" : "")
              + " ");
      long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
      // stopped means the lock is free: a dead gateway may stay a zombie for a while
      while (DataDirLock.isHeld(dataDir) && System.nanoTime() < deadline) {
        System.out.print(".");
        System.out.flush();
        Thread.sleep(250);
      }
      System.out.println();
      if (DataDirLock.isHeld(dataDir)) {
        if (!force) {
          throw new CliException(
              SageCli.FAILED,
              "gateway (pid "
                  + pid.get()
                  + ") still running after "
                  + timeoutSeconds
                  + " s; use --force to kill it");
        }
        process.ifPresent(ProcessHandle::destroyForcibly);
        long killDeadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (DataDirLock.isHeld(dataDir) && System.nanoTime() < killDeadline) {
          Thread.sleep(50);
        }
        System.out.println("gateway killed");
      } else {
        System.out.println("gateway stopped");
      }
      Files.deleteIfExists(GatewayPaths.pidFile(dataDir));
      return SageCli.OK;
    }
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description = "Is the gateway running?")
  static final class Status implements Callable<Integer> {
    @picocli.CommandLine.Mixin DataDirOption data = new DataDirOption();

    @Override
    public Integer call() {
      Path dataDir = data.dataDir();
      Optional<Long> pid = GatewayProcesses.runningPid(dataDir);
      if (pid.isEmpty()) {
        System.out.println("gateway: not running (data dir " + dataDir + ")");
        return SageCli.FAILED;
      }
      System.out.println("gateway: running (pid " + pid.get() + ", data dir " + dataDir + ")");
      return SageCli.OK;
    }
  }

  @Command(
      name = "restart",
      mixinStandardHelpOptions = true,
      description = "Stop the gateway (keeping engines for adoption) and start it again.")
  static final class Restart implements Callable<Integer> {
    @picocli.CommandLine.Mixin DataDirOption data = new DataDirOption();

    @Option(names = "--port")
    Integer port;

    @Option(names = "--host")
    String host;

    @Override
    public Integer call() throws Exception {
      Stop stop = new Stop();
      stop.data = data;
      stop.keepEngines = true;
      stop.call();
      Start start = new Start();
      start.data = data;
      start.port = port;
      start.host = host;
      return start.call();
    }
  }

  /**
   * Whether the pid file names the launched process (or its child, should setsid have forked): a
   * killed run's file may still be there.
   */
  static boolean recordsPid(Path dataDir, long pid) {
    try {
      long recorded = Long.parseLong(Files.readString(GatewayPaths.pidFile(dataDir)).trim());
      return recorded == pid
          || ProcessHandle.of(recorded)
              .flatMap(ProcessHandle::parent)
              .map(parent -> parent.pid() == pid)
              .orElse(false);
    } catch (java.io.IOException | NumberFormatException e) {
      return false;
    }
  }

  /**
   * Whether {@code GET /health} answers 200. Asked through {@link HttpURLConnection}, not the JDK's
   * {@link HttpClient}: that one builds the default TLS context and its own selector thread when it
   * is created, CPU the starting gateway beside it needs on a small machine (docs/decisions.md).
   */
  static boolean healthy(String url) {
    HttpURLConnection connection = null;
    try {
      connection =
          (HttpURLConnection) URI.create(url + "/health").toURL().openConnection(Proxy.NO_PROXY);
      connection.setConnectTimeout(1000);
      connection.setReadTimeout(2000);
      connection.setUseCaches(false);
      return connection.getResponseCode() == 200;
    } catch (IOException | IllegalArgumentException e) {
      return false;
    } finally {
      if (connection != null) {
        connection.disconnect();
      }
    }
  }

  static boolean portFree(String host, int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(host, port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
