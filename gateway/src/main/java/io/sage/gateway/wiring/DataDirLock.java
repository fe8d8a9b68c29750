package io.sage.gateway.wiring;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Optional;

/**
 * One gateway per data dir: the running gateway holds an exclusive lock on {@code
 * <data-dir>/gateway.lock} for its whole life, and the kernel drops it the moment the process dies
 * (even {@code kill -9}, even while the dead process is still a zombie). The file's text names the
 * holder (pid, URL, start time) for the messages; whether a gateway runs is decided by the lock
 * alone, never by a pid that may be stale or recycled.
 */
public final class DataDirLock implements AutoCloseable {
  private final FileChannel channel;
  private final FileLock lock;

  private DataDirLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  public static Path file(Path dataDir) {
    return dataDir.resolve("gateway.lock");
  }

  /** Takes the lock for this process, or fails with a message naming the gateway that holds it. */
  public static DataDirLock acquire(Path dataDir) throws IOException {
    Files.createDirectories(dataDir);
    Path file = file(dataDir);
    FileChannel channel =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      channel.close();
      throw new IllegalStateException(
          "data dir "
              + dataDir
              + " is in use by another gateway ("
              + describe(dataDir)
              + "); stop it with `sage gateway stop --data-dir "
              + dataDir
              + "` or use another --data-dir");
    }
    DataDirLock held = new DataDirLock(channel, lock);
    held.describeHolder("pid " + ProcessHandle.current().pid() + ", started " + Instant.now());
    return held;
  }

  /** Rewrites the holder's description (once the URL is known). */
  public void describeHolder(String text) throws IOException {
    channel.truncate(0);
    channel.write(ByteBuffer.wrap((text + "\n").getBytes(StandardCharsets.UTF_8)), 0);
    channel.force(false);
  }

  /**
   * Whether a live process holds the data dir's lock; probing takes the lock for an instant when it
   * is free, which cannot disturb a gateway (none holds it then).
   */
  public static boolean isHeld(Path dataDir) {
    Path file = file(dataDir);
    if (!Files.exists(file)) {
      return false;
    }
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      FileLock probe = channel.tryLock();
      if (probe == null) {
        return true;
      }
      probe.release();
      return false;
    } catch (OverlappingFileLockException e) {
      return true; // held by this very process
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * The holder's description as it wrote it, e.g. "pid 123, http://127.0.0.1:8000, started ...".
   */
  public static String describe(Path dataDir) {
    try {
      String text = Files.readString(file(dataDir), StandardCharsets.UTF_8).trim();
      return text.isEmpty() ? "holder unknown" : text;
    } catch (IOException e) {
      return "holder unknown";
    }
  }

  /** The pid the holder wrote into the lock file, if it did. */
  public static Optional<Long> holderPid(Path dataDir) {
    String text = describe(dataDir);
    if (text.startsWith("pid ")) {
      int end = text.indexOf(',');
      try {
        return Optional.of(Long.parseLong(text.substring(4, end < 0 ? text.length() : end).trim()));
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
    }
    return Optional.empty();
  }

  @Override
  public void close() throws IOException {
    if (lock.isValid()) {
      lock.release();
    }
    channel.close();
  }
}
