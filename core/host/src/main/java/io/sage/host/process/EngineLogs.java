package io.sage.host.process;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Per-engine log files under {@code <data-dir>/engines/<id>/}. Engines append to {@code engine.log}
 * directly; rotation copies it aside and truncates it, which is safe because the engine writes with
 * O_APPEND.
 */
public final class EngineLogs {
  private final Path enginesDir;
  private final long maxBytes;
  private final int keep;

  public EngineLogs(Path enginesDir, long maxBytes, int keep) {
    this.enginesDir = enginesDir;
    this.maxBytes = maxBytes;
    this.keep = keep;
  }

  public Path engineDir(String engineId) {
    return enginesDir.resolve(engineId);
  }

  public Path logFile(String engineId) {
    return engineDir(engineId).resolve("engine.log");
  }

  /**
   * Deletes the engine's folder (logs, work dir) once the engine is purged; symbolic links inside
   * are removed, not followed.
   */
  public void deleteEngineDir(String engineId) {
    Path dir = engineDir(engineId);
    if (!dir.normalize().startsWith(enginesDir.normalize()) || !Files.isDirectory(dir)) {
      return;
    }
    try (java.util.stream.Stream<Path> walk = Files.walk(dir)) {
      for (Path path : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(
          "engine " + engineId + ": cannot delete its folder " + dir, e);
    }
  }

  /**
   * Appends a line written by the gateway itself (launch, stop), so the log tells the whole story.
   */
  public void note(String engineId, String line) {
    try {
      Files.createDirectories(engineDir(engineId));
      Files.writeString(
          logFile(engineId),
          "[sage] " + line + System.lineSeparator(),
          StandardCharsets.UTF_8,
          java.nio.file.StandardOpenOption.CREATE,
          java.nio.file.StandardOpenOption.APPEND);
    } catch (IOException e) {
      // the log is best effort; the event table holds the authoritative history
    }
  }

  /** The last {@code lines} lines of the engine's current log (fewer if the file is shorter). */
  public List<String> tail(String engineId, int lines) {
    Path file = logFile(engineId);
    if (lines <= 0 || !Files.exists(file)) {
      return List.of();
    }
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      long length = raf.length();
      long pos = length;
      int chunk = 8192;
      byte[] buffer = new byte[chunk];
      Deque<byte[]> parts = new ArrayDeque<>();
      int newlines = 0;
      long total = 0;
      while (pos > 0 && newlines <= lines && total < 8L * 1024 * 1024) {
        int read = (int) Math.min(chunk, pos);
        pos -= read;
        raf.seek(pos);
        raf.readFully(buffer, 0, read);
        for (int i = 0; i < read; i++) {
          if (buffer[i] == '\n') {
            newlines++;
          }
        }
        byte[] part = new byte[read];
        System.arraycopy(buffer, 0, part, 0, read);
        parts.addFirst(part);
        total += read;
      }
      StringBuilder text = new StringBuilder();
      for (byte[] part : parts) {
        text.append(new String(part, StandardCharsets.UTF_8));
      }
      String[] all = text.toString().split("\r?\n");
      List<String> result = new ArrayList<>();
      for (int i = Math.max(0, all.length - lines); i < all.length; i++) {
        result.add(all[i]);
      }
      if (pos > 0 && result.size() > lines) {
        return result.subList(result.size() - lines, result.size());
      }
      return result;
    } catch (IOException e) {
      return List.of();
    }
  }

  /** The last non-blank line the engine wrote, or an empty string. */
  public String lastLine(String engineId) {
    List<String> lines = tail(engineId, 5);
    for (int i = lines.size() - 1; i >= 0; i--) {
      if (!lines.get(i).isBlank() && !lines.get(i).startsWith("[sage] ")) {
        String line = lines.get(i).strip();
        return line.length() > 300 ? line.substring(0, 300) + "…" : line;
      }
    }
    return "";
  }

  /** Rotates the engine's log when it has grown past the size limit. */
  public void rotateIfNeeded(String engineId) {
    Path file = logFile(engineId);
    try {
      if (!Files.exists(file) || Files.size(file) < maxBytes) {
        return;
      }
      for (int i = keep - 1; i >= 1; i--) {
        Path older = file.resolveSibling("engine.log." + i);
        if (Files.exists(older)) {
          Files.move(
              older,
              file.resolveSibling("engine.log." + (i + 1)),
              StandardCopyOption.REPLACE_EXISTING);
        }
      }
      Files.copy(file, file.resolveSibling("engine.log.1"), StandardCopyOption.REPLACE_EXISTING);
      try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
        raf.setLength(0);
      }
    } catch (IOException e) {
      // a failed rotation leaves a larger log, which is better than losing lines
    }
  }
}
