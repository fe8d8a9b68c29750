package io.sage.gateway.cli;

import io.sage.gateway.wiring.DataDirGuard;
import io.sage.gateway.wiring.DataDirs;
import io.sage.gateway.wiring.GatewayPaths;
import io.sage.host.store.SecretKeys;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sage restore BACKUP.zip --data-dir DIR}: puts a backup's database into a data dir whose
 * gateway is not running, after checking that H2 can open it. A database already there is kept
 * beside it under a dated name, and only with {@code --force}.
 */
@Command(
    name = "restore",
    mixinStandardHelpOptions = true,
    description = "Restore a backup taken by `sage backup` into a data dir (gateway stopped).",
    footer = {
      "",
      "Examples:",
      "  sage restore sage-backup-20261201-101500.zip --data-dir /srv/sage-new",
      "  sage restore backup.zip --data-dir ~/.sage --force   # keeps the old database beside it"
    })
final class RestoreCommand implements Callable<Integer> {
  static final String DATABASE_ENTRY = "sage.mv.db";

  @Parameters(index = "0", paramLabel = "BACKUP.zip", description = "A zip made by `sage backup`.")
  Path backup;

  @Option(names = "--data-dir", description = "Data dir (default: $SAGE_HOME, else ~/.sage).")
  String dataDir;

  @Option(
      names = "--force",
      description = "Replace a database already in the data dir (the old one is kept beside it).")
  boolean force;

  @Override
  public Integer call() throws Exception {
    Path dir = GatewayPaths.dataDir(dataDir);
    if (!Files.isRegularFile(backup)) {
      throw new CliException(SageCli.USAGE, "no backup file at " + backup.toAbsolutePath());
    }
    if (GatewayProcesses.runningPid(dir).isPresent()) {
      throw new CliException(
          SageCli.FAILED,
          "a gateway is running on "
              + dir
              + "; stop it first (sage gateway stop --data-dir "
              + dir
              + ")");
    }
    Path database = DataDirGuard.databaseFile(dir);
    boolean replacing = Files.exists(database) && Files.size(database) > 0;
    if (replacing && !force) {
      throw new CliException(
          SageCli.FAILED,
          "the data dir "
              + dir
              + " already has a database ("
              + database.getFileName()
              + "); add --force to replace it (the old one is kept beside it)");
    }
    Files.createDirectories(dir);
    Path extracted = ownerOnlyTemp(dir, ".sage-restore");
    try {
      extract(backup, extracted);
      Path old = null;
      if (replacing) {
        old =
            dir.resolve(
                DATABASE_ENTRY
                    + ".before-restore-"
                    + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Files.move(database, old);
      }
      Files.move(extracted, database, StandardCopyOption.ATOMIC_MOVE);
      restoreSideFile(backup, dir, SecretKeys.FILE_NAME);
      // the registry's engines belong to the node id the backup was taken on
      restoreSideFile(backup, dir, io.sage.gateway.wiring.NodeIds.FILE_NAME);
      try {
        DataDirGuard.check(dir);
      } catch (DataDirGuard.RefusedException e) {
        Files.deleteIfExists(database);
        if (old != null) {
          Files.move(old, database);
        }
        throw new CliException(
            SageCli.FAILED, "the backup " + backup + " is not usable: " + e.getMessage());
      }
      System.out.println("restored " + backup + " into " + database);
      if (old != null) {
        System.out.println("the previous database is kept as " + old);
      }
      System.out.println("start the gateway with: sage gateway start --data-dir " + dir);
      return SageCli.OK;
    } finally {
      Files.deleteIfExists(extracted);
    }
  }

  /**
   * Puts the backup's {@code name} ({@code secret.key}, the key of the engine secrets stored in the
   * database, or {@code node.id}, the node the engines belong to) beside the restored database; a
   * different file already there is kept beside it.
   */
  private static void restoreSideFile(Path zip, Path dir, String name) throws IOException {
    String key = null;
    try (InputStream file = Files.newInputStream(zip);
        ZipInputStream in = new ZipInputStream(file)) {
      for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
        if (!entry.isDirectory() && entry.getName().equals(name)) {
          key = new String(in.readNBytes(64 * 1024), java.nio.charset.StandardCharsets.US_ASCII);
        }
      }
    }
    if (key == null) {
      return;
    }
    Path target = dir.resolve(name);
    if (Files.exists(target) && !Files.readString(target).equals(key)) {
      Files.move(
          target,
          dir.resolve(
              name
                  + ".before-restore-"
                  + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))));
    }
    DataDirs.writePrivate(target, key);
  }

  private static void extract(Path zip, Path target) throws IOException {
    try (InputStream file = Files.newInputStream(zip);
        ZipInputStream in = new ZipInputStream(file)) {
      for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
        if (!entry.isDirectory()
            && Path.of(entry.getName()).getFileName().toString().equals(DATABASE_ENTRY)) {
          // into the owner-only file itself: Files.copy(REPLACE_EXISTING) would recreate it
          try (var sink =
              Files.newOutputStream(
                  target,
                  java.nio.file.StandardOpenOption.WRITE,
                  java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
            in.transferTo(sink);
          }
          if (Files.size(target) == 0) {
            break;
          }
          return;
        }
      }
    } catch (java.util.zip.ZipException e) {
      throw new CliException(SageCli.FAILED, backup(zip) + " is not a zip file: " + e.getMessage());
    }
    throw new CliException(
        SageCli.FAILED,
        backup(zip) + " holds no " + DATABASE_ENTRY + "; was it made by `sage backup`?");
  }

  private static String backup(Path zip) {
    return "the backup " + zip.toAbsolutePath();
  }

  /** A temporary file readable by its owner only, whatever the umask. */
  static Path ownerOnlyTemp(Path dir, String prefix) throws IOException {
    boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    return posix
        ? Files.createTempFile(
            dir,
            prefix,
            ".tmp",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
        : Files.createTempFile(dir, prefix, ".tmp");
  }

  /** The message of an OpenAI-shaped error body, else the body's first 300 characters. */
  static String brief(String body) {
    try {
      String message =
          io.sage.client.GatewayTransport.mapper()
              .readTree(body)
              .path("error")
              .path("message")
              .asText("");
      if (!message.isBlank()) {
        return message;
      }
    } catch (IOException e) {
      // not JSON: show the text itself
    }
    return body.length() > 300 ? body.substring(0, 300) + "…" : body;
  }
}
