package io.sage.host.process;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Launch failures in the OS's words and with the file they concern ({@code permission denied:
 * /opt/vllm/bin/vllm}): Java's own messages name only the path for a refused directory, and only
 * {@code error=13} inside a long sentence for a refused program.
 */
final class LaunchErrors {
  private static final Pattern ERRNO = Pattern.compile("error=(\\d+), (.+)$");

  private LaunchErrors() {}

  /** Fails as execve(2) would, before anything is started, when the program cannot run. */
  static void requireExecutable(String program) throws IOException {
    Path path = resolve(program);
    if (path == null) {
      throw new NoSuchFileException(program, null, "not found on the PATH");
    }
    if (!Files.exists(path)) {
      throw new NoSuchFileException(path.toString());
    }
    if (Files.isDirectory(path)) {
      throw new FileSystemException(path.toString(), null, "is a directory");
    }
    if (!Files.isExecutable(path)) {
      throw new AccessDeniedException(path.toString());
    }
  }

  /** One line: what the OS said, then the file. */
  static String describe(IOException e) {
    if (e instanceof AccessDeniedException denied) {
      return "permission denied: " + denied.getFile();
    }
    if (e instanceof NoSuchFileException missing) {
      return (missing.getReason() == null ? "no such file" : missing.getReason())
          + ": "
          + missing.getFile();
    }
    if (e instanceof NotDirectoryException notDirectory) {
      return "not a directory: " + notDirectory.getFile();
    }
    if (e instanceof FileSystemException fs) {
      String reason =
          fs.getReason() == null || fs.getReason().isBlank() ? "refused" : lower(fs.getReason());
      return reason + ": " + fs.getFile();
    }
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    Matcher errno = ERRNO.matcher(message);
    if (errno.find()) {
      int program = message.indexOf('"');
      int end = program < 0 ? -1 : message.indexOf('"', program + 1);
      String file = end > program ? message.substring(program + 1, end) : "";
      return lower(errno.group(2)) + (file.isEmpty() ? "" : ": " + file);
    }
    return message;
  }

  private static Path resolve(String program) {
    if (program.contains("/")) {
      return Path.of(program);
    }
    String pathVariable = System.getenv("PATH");
    if (pathVariable == null) {
      return null;
    }
    for (String dir : pathVariable.split(":")) {
      if (!dir.isEmpty()) {
        Path candidate = Path.of(dir, program);
        if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
          return candidate;
        }
      }
    }
    return null;
  }

  private static String lower(String reason) {
    return reason.isEmpty()
        ? reason
        : reason.substring(0, 1).toLowerCase(Locale.ROOT) + reason.substring(1);
  }
}
