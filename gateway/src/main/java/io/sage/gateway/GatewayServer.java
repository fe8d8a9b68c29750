package io.sage.gateway;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.Micronaut;
import io.sage.db.H2Urls;
import io.sage.db.secret.PrivateFile;
import io.sage.gateway.wiring.DataDirGuard;
import io.sage.gateway.wiring.DataDirs;
import io.sage.gateway.wiring.GatewayPaths;
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
   */
  public record Settings(
      String host, Integer port, Path dataDir, List<String> pluginDirs, boolean demo) {}

  public static ApplicationContext start(Settings settings) throws IOException {
    Path dataDir = settings.dataDir();
    DataDirs.createPrivate(dataDir);
    DataDirs.createPrivate(dataDir.resolve("logs"));
    DataDirs.restrictTree(dataDir);
    DataDirGuard.check(dataDir);
    Map<String, Object> properties = new HashMap<>();
    properties.put("sage.data-dir", dataDir.toString());
    properties.put("datasources.default.url", H2Urls.fileUrl(dataDir));
    if (settings.host() != null) {
      properties.put("micronaut.server.host", settings.host());
    }
    if (settings.port() != null) {
      properties.put("micronaut.server.port", settings.port());
    }
    if (settings.pluginDirs() != null && !settings.pluginDirs().isEmpty()) {
      properties.put("sage.plugins-dirs", settings.pluginDirs());
    }
    if (settings.demo()) {
      properties.put("sage.demo", true);
    }
    ApplicationContext context =
        Micronaut.build(new String[0])
            .mainClass(GatewayServer.class)
            .properties(properties)
            .banner(false)
            .start();
    Path pidFile = GatewayPaths.pidFile(dataDir);
    PrivateFile.write(pidFile, Long.toString(ProcessHandle.current().pid()));
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
    return context;
  }
}
