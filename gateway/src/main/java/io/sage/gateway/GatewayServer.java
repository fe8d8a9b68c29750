package io.sage.gateway;

import io.micronaut.context.ApplicationContext;
import io.micronaut.context.env.PropertySource;
import io.micronaut.runtime.Micronaut;
import io.sage.gateway.config.ConfigException;
import io.sage.gateway.config.ConfigFile;
import io.sage.gateway.config.ServerConfig;
import io.sage.gateway.wiring.DataDirLock;
import io.sage.gateway.wiring.DataDirs;
import io.sage.gateway.wiring.DatabaseSettings;
import io.sage.gateway.wiring.EarlySettings;
import io.sage.gateway.wiring.GatewayPaths;
import io.sage.gateway.wiring.NodeIds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Starts the gateway in this JVM (the foreground mode of {@code sage gateway start}). */
public final class GatewayServer {
  private GatewayServer() {}

  /**
   * Settings given on the command line; null fields keep the configured defaults.
   *
   * @param host bind address
   * @param port bind port
   * @param dataDir data dir
   * @param pluginDirs extra plugin folders
   * @param demo start the demo engines
   * @param configFile {@code --config FILE}, or null for {@code <data-dir>/sage.yml} if present
   */
  public record Settings(
      String host,
      Integer port,
      Path dataDir,
      List<String> pluginDirs,
      boolean demo,
      Path configFile) {}

  /** Held for the life of the process; the kernel releases it when the process dies. */
  private static volatile DataDirLock dataDirLock;

  /**
   * Reads the config file, then starts the gateway.
   *
   * @throws ConfigException when the config file cannot be used (before anything started)
   */
  public static ApplicationContext start(Settings settings) throws IOException {
    Path dataDir = settings.dataDir();
    ConfigFile.Loaded config = ConfigFile.load(dataDir, settings.configFile());
    DataDirs.createPrivate(dataDir);
    DataDirs.createPrivate(dataDir.resolve("logs"));
    DataDirLock lock = DataDirLock.acquire(dataDir);
    dataDirLock = lock;
    DataDirs.restrictTree(dataDir);
    DatabaseSettings database = DatabaseSettings.of(dataDir, config);
    // the checks' connection keeps an H2 file open until the pool has it (one open per start)
    java.sql.Connection held = database.checkAndHold(dataDir);
    try {
      return start(settings, config, dataDir, lock, database);
    } finally {
      DatabaseSettings.closeQuietly(held);
    }
  }

  private static ApplicationContext start(
      Settings settings,
      ConfigFile.Loaded config,
      Path dataDir,
      DataDirLock lock,
      DatabaseSettings database)
      throws IOException {
    Map<String, Object> properties = new HashMap<>();
    properties.put("sage.data-dir", dataDir.toString());
    properties.putAll(database.properties());
    // the node id is needed by the store (the engines it owns) before any bean exists
    properties.put(
        "sage.node.id",
        NodeIds.resolve(
            dataDir,
            EarlySettings.value(
                "sage.node.id", config.properties(), System.getenv(), System.getProperties())));
    // the declared models are read from (and the file watched at) this path, present or not
    properties.put(
        "sage.config-file",
        (config.file() != null ? config.file() : dataDir.resolve(ConfigFile.DEFAULT_NAME))
            .toAbsolutePath()
            .toString());
    ServerConfig server = config.server();
    properties.put(
        "micronaut.server.host", settings.host() != null ? settings.host() : server.host());
    properties.put(
        "micronaut.server.port", settings.port() != null ? settings.port() : server.port());
    if (settings.pluginDirs() != null && !settings.pluginDirs().isEmpty()) {
      properties.put("sage.plugins-dirs", settings.pluginDirs());
    }
    if (settings.demo()) {
      properties.put("sage.demo", true);
    }
    // the pid file before the server answers: `sage gateway start` reports ready on the first
    // /health answer, and whoever reads the pid file then must find this process in it
    Path pidFile = GatewayPaths.pidFile(dataDir);
    DataDirs.writePrivate(pidFile, Long.toString(ProcessHandle.current().pid()));
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    String recorded = Files.exists(pidFile) ? Files.readString(pidFile).trim() : "";
                    if (recorded.equals(Long.toString(ProcessHandle.current().pid()))) {
                      Files.deleteIfExists(pidFile);
                    }
                  } catch (IOException e) {
                    // the next start replaces a stale pid file
                  }
                },
                "sage-pidfile"));
    ApplicationContext context =
        Micronaut.build(new String[0])
            .mainClass(GatewayServer.class)
            // below environment variables (-200), above application.yml (-300)
            .propertySources(PropertySource.of(ConfigFile.DEFAULT_NAME, config.properties(), -250))
            .properties(properties)
            .banner(false)
            .start();
    lock.describeHolder(
        "pid "
            + ProcessHandle.current().pid()
            + ", "
            + listening(context.getBean(io.micronaut.runtime.server.EmbeddedServer.class))
            + ", started "
            + java.time.Instant.now());
    return context;
  }

  /**
   * Where the server listens, as a URL: {@code EmbeddedServer.getURL()} cannot be built for a
   * wildcard IPv6 bind such as {@code ::}.
   */
  private static String listening(io.micronaut.runtime.server.EmbeddedServer server) {
    String host = server.getHost();
    // "http://" kept: the CLI finds a gateway on another port by this URL (ClientOptions)
    return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + server.getPort();
  }
}
