package io.sage.gateway.wiring;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The data dir holds the database (engine secrets, conversations), the admin key and the logs: only
 * the gateway's own user may read it. Folders are {@code rwx------} and files {@code rw-------},
 * whatever the umask ({@code bin/sage} sets 077 as well, so files created later are born private).
 */
public final class DataDirs {
  private static final Set<PosixFilePermission> DIRECTORY =
      PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

  private DataDirs() {}

  /** Creates {@code dir} (and missing parents) and makes {@code dir} itself {@code rwx------}. */
  public static void createPrivate(Path dir) throws IOException {
    Files.createDirectories(dir);
    restrict(dir, DIRECTORY);
  }

  /**
   * Writes {@code text} to {@code file} atomically, {@code rw-------} from its birth (the db
   * module's {@link io.sage.db.secret.PrivateFile}, which writes the secret key the same way).
   */
  public static void writePrivate(Path file, String text) throws IOException {
    io.sage.db.secret.PrivateFile.write(file, text);
  }

  /** Creates an empty {@code rw-------} file unless it exists; an existing one is restricted. */
  public static void touchPrivate(Path file) throws IOException {
    if (!Files.exists(file)) {
      try {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(FILE));
      } catch (java.nio.file.FileAlreadyExistsException e) {
        // created meanwhile: restricted below
      }
    }
    restrict(file, FILE);
  }

  /** What the gateway keeps in its data dir; other entries there are left alone. */
  private static final java.util.List<String> OWN_ENTRIES =
      java.util.List.of(
          "sage.mv.db",
          "sage.trace.db",
          "admin.key",
          "secret.key",
          "node.id",
          "gateway.pid",
          "gateway.lock",
          "shutdown-keep-engines",
          "logs",
          "engines");

  /**
   * Restricts what the gateway keeps in the data dir: files written by older versions or under a
   * looser umask lose their group and other permissions. Symbolic links are not followed.
   */
  public static void restrictTree(Path dataDir) throws IOException {
    for (String entry : OWN_ENTRIES) {
      Path path = dataDir.resolve(entry);
      if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
        restrictAll(path);
      }
    }
  }

  private static void restrictAll(Path root) throws IOException {
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes)
              throws IOException {
            restrict(dir, DIRECTORY);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attributes)
              throws IOException {
            if (attributes.isRegularFile()) {
              Set<PosixFilePermission> current =
                  Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
              // executables (a script an operator keeps there) stay executable for the owner
              Set<PosixFilePermission> wanted =
                  current.contains(PosixFilePermission.OWNER_EXECUTE)
                      ? PosixFilePermissions.fromString("rwx------")
                      : FILE;
              if (!current.equals(wanted)) {
                Files.setPosixFilePermissions(file, wanted);
              }
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) {
            // a file that vanished meanwhile (an engine's log rolled over) needs nothing
            return FileVisitResult.CONTINUE;
          }
        });
  }

  private static void restrict(Path path, Set<PosixFilePermission> permissions) throws IOException {
    try {
      if (!Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS).equals(permissions)) {
        Files.setPosixFilePermissions(path, permissions);
      }
    } catch (UnsupportedOperationException | java.nio.file.AccessDeniedException e) {
      // not a POSIX file system, or a folder of another user's (such as /tmp) given as the data
      // dir: its permissions are not the gateway's to change
    }
  }
}
