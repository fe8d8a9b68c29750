package io.sage.gateway.security;

import io.micronaut.context.annotation.Value;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.runtime.event.annotation.EventListener;
import io.sage.host.ControlPlane;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First start (or a start after every admin key was revoked): creates an admin key and writes it to
 * {@code <data-dir>/admin.key}, readable by the owner only, so the CLI on the same machine needs no
 * manual step. The log names the file, never the key.
 */
@Singleton
class AdminKeyBootstrap {
  static final String FILE_NAME = "admin.key";
  private static final Logger LOG = LoggerFactory.getLogger(AdminKeyBootstrap.class);
  private final ApiKeys keys;
  private final ControlPlane manager;
  private final Path dataDir;

  AdminKeyBootstrap(ApiKeys keys, ControlPlane manager, @Value("${sage.data-dir}") String dataDir) {
    this.keys = keys;
    this.manager = manager;
    this.dataDir = Path.of(dataDir);
  }

  @EventListener
  void onStartup(StartupEvent event) {
    Path file = dataDir.resolve(FILE_NAME);
    if (keys.hasActiveAdmin()) {
      if (!Files.exists(file)) {
        LOG.info("admin key file {} is absent; use an existing admin key (sage keys list)", file);
      }
      return;
    }
    ApiKeys.Created created = keys.create("bootstrap admin", ApiKeys.ADMIN, null);
    write(file, created.secret());
    manager.audit(
        "gateway",
        "key.create",
        created.stored().id(),
        "ok",
        "bootstrap admin key written to " + file);
    LOG.info(
        "created admin API key {}; it is in {} (readable by its owner only)",
        created.stored().id(),
        file);
  }

  static void write(Path file, String secret) {
    try {
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
      Path temp =
          posix
              ? Files.createTempFile(
                  dir,
                  ".admin",
                  ".tmp",
                  PosixFilePermissions.asFileAttribute(
                      PosixFilePermissions.fromString("rw-------")))
              : Files.createTempFile(dir, ".admin", ".tmp");
      try {
        Files.writeString(temp, secret + "\n", StandardCharsets.UTF_8);
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(temp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write the admin key file " + file + ": " + e.getMessage(), e);
    }
  }
}
