package io.sage.gateway.wiring;

import io.sage.db.H2Urls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Checks the data dir's database before the gateway opens it, so a lost or damaged registry is
 * never silently replaced by an empty one: an empty registry would orphan the engines still running
 * and write a new {@code admin.key} over the old one.
 *
 * <ul>
 *   <li>A data dir that has held a gateway ({@code admin.key}, engine folders) whose database file
 *       is missing or empty is refused, with the ways to recover.
 *   <li>A database H2 cannot open (corrupt, truncated, written by another version) is refused in
 *       one line saying what is wrong and what to do, never a stack trace.
 * </ul>
 */
public final class DataDirGuard {
  private DataDirGuard() {}

  /** Why a start was refused; the message is the whole story, meant for the operator. */
  public static final class RefusedException extends RuntimeException {
    RefusedException(String message) {
      super(message);
    }
  }

  /** The database file H2 keeps in the data dir. */
  public static Path databaseFile(Path dataDir) {
    return dataDir.resolve(H2Urls.DATABASE_NAME + ".mv.db");
  }

  /**
   * Refuses a data dir whose database is missing or empty after a gateway has used it, or that H2
   * cannot open. A brand-new data dir (no traces of a gateway) passes: its database is created.
   *
   * @throws RefusedException with the reason and the way to recover
   */
  public static void check(Path dataDir) {
    Connection held = checkAndHold(dataDir);
    if (held != null) {
      try {
        held.close();
      } catch (SQLException e) {
        throw new RefusedException(describe(databaseFile(dataDir), e));
      }
    }
  }

  /**
   * {@link #check} that leaves the database open: returns the connection it checked with, which
   * keeps H2's file open until the caller closes it (null for a data dir without a database yet).
   * Closing H2's last connection closes the file, which writes and compacts it, and the next open
   * reads it again; a start checks, reads the schema history and then opens its pool, so it holds
   * this connection until the pool is open (docs/decisions.md).
   *
   * @throws RefusedException with the reason and the way to recover
   */
  public static Connection checkAndHold(Path dataDir) {
    Path database = databaseFile(dataDir);
    long size = sizeOf(database);
    if (size <= 0) {
      List<String> traces = traces(dataDir);
      if (!traces.isEmpty()) {
        throw new RefusedException(
            "the database "
                + database
                + (size < 0 ? " is missing" : " is empty (0 bytes)")
                + ", but this data dir has held a gateway ("
                + String.join(", ", traces)
                + "); refusing to start with an empty registry, which would orphan running"
                + " engines and replace admin.key. To recover: stop any engines still running"
                + " from it, then `sage restore BACKUP.zip --data-dir "
                + dataDir
                + "`; to start afresh on purpose, use a new data dir or move "
                + String.join(" and ", traces)
                + " away.");
      }
      if (size == 0) {
        deleteEmpty(database);
      }
      return null;
    }
    truncation(database, size)
        .ifPresent(
            why -> {
              throw new RefusedException(
                  "the database "
                      + database
                      + " is damaged ("
                      + why
                      + "); H2 would fall back to an older state without a word. Restore a"
                      + " backup with `sage restore BACKUP.zip --data-dir "
                      + dataDir
                      + " --force`, or move the file away to start with an empty registry.");
            });
    return open(dataDir, database);
  }

  /**
   * Whether a cleanly closed H2 file is shorter than its own header says: the header written at
   * close ({@code clean:1}) names the block where the last chunk starts ({@code block}, in units of
   * {@code blockSize}, both hex). A file cut before that has lost its newest state; H2 itself would
   * open the newest older chunk it still finds and carry on. A header without those fields (a file
   * that was open when its gateway died) is left to H2.
   */
  static Optional<String> truncation(Path database, long size) {
    byte[] head = new byte[4096];
    int read;
    try (java.io.InputStream in = Files.newInputStream(database)) {
      read = in.readNBytes(head, 0, head.length);
    } catch (IOException e) {
      return Optional.empty(); // H2's own open reports what is wrong with the file
    }
    String text = new String(head, 0, read, java.nio.charset.StandardCharsets.ISO_8859_1);
    int end = text.indexOf('\n');
    if (!text.startsWith("H:") || end < 0) {
      return Optional.empty();
    }
    java.util.Map<String, String> fields = new java.util.HashMap<>();
    for (String field : text.substring(0, end).split(",")) {
      int colon = field.indexOf(':');
      if (colon > 0) {
        fields.put(field.substring(0, colon), field.substring(colon + 1));
      }
    }
    if (!"1".equals(fields.get("clean"))
        || !fields.containsKey("block")
        || !fields.containsKey("blockSize")) {
      return Optional.empty();
    }
    try {
      long blockSize = Long.parseLong(fields.get("blockSize"), 16);
      long lastChunk = Long.parseLong(fields.get("block"), 16) * blockSize;
      if (size <= lastChunk) {
        return Optional.of(
            "it is "
                + size
                + " bytes long, but its header says its newest data starts at byte "
                + lastChunk
                + ": the file was cut short");
      }
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  /** Opens the database, turning H2's failure into one line. */
  private static Connection open(Path dataDir, Path database) {
    Connection connection = null;
    try {
      connection =
          DriverManager.getConnection(H2Urls.fileUrl(dataDir) + ";IFEXISTS=TRUE", "sa", "");
      connection.isValid(5);
      return connection;
    } catch (SQLException e) {
      if (connection != null) {
        try {
          connection.close();
        } catch (SQLException closing) {
          e.addSuppressed(closing);
        }
      }
      throw new RefusedException(describe(database, e));
    }
  }

  static String describe(Path database, SQLException e) {
    String first = firstLine(e.getMessage());
    String lower = first.toLowerCase(java.util.Locale.ROOT);
    if (lower.contains("already in use") || lower.contains("locked")) {
      return "the database "
          + database
          + " is in use by another process (is a gateway already running on this data dir?): "
          + first;
    }
    String what =
        lower.contains("corrupt") || lower.contains("chunk") || lower.contains("file header")
            ? "is damaged"
            : lower.contains("unsupported") || lower.contains("format")
                ? "was written by an incompatible H2 version"
                : "cannot be opened";
    return "the database "
        + database
        + " "
        + what
        + " (H2: "
        + first
        + "). Restore a backup with `sage restore BACKUP.zip --data-dir "
        + database.getParent()
        + " --force`, or move the file away to start with an empty registry.";
  }

  private static String firstLine(String message) {
    if (message == null || message.isBlank()) {
      return "no details";
    }
    String line = message.strip().lines().findFirst().orElse("no details");
    // H2 appends the SQL state in brackets: keep the words
    int bracket = line.indexOf(" [");
    String words = bracket > 0 ? line.substring(0, bracket) : line;
    return words.length() > 300 ? words.substring(0, 300) + "…" : words;
  }

  /** Files and folders that only a gateway that ran here leaves behind. */
  static List<String> traces(Path dataDir) {
    List<String> traces = new ArrayList<>();
    if (Files.exists(dataDir.resolve("admin.key"))) {
      traces.add("admin.key");
    }
    Path engines = dataDir.resolve("engines");
    if (Files.isDirectory(engines)) {
      try (Stream<Path> children = Files.list(engines)) {
        if (children.findAny().isPresent()) {
          traces.add("engines/");
        }
      } catch (IOException e) {
        traces.add("engines/");
      }
    }
    return traces;
  }

  private static long sizeOf(Path file) {
    try {
      return Files.exists(file) ? Files.size(file) : -1;
    } catch (IOException e) {
      throw new RefusedException("cannot read the database file " + file + ": " + e.getMessage());
    }
  }

  private static void deleteEmpty(Path database) {
    try {
      Files.deleteIfExists(database);
    } catch (IOException e) {
      throw new RefusedException(
          "cannot remove the empty database file " + database + ": " + e.getMessage());
    }
  }
}
