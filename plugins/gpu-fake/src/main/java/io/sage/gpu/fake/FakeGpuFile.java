package io.sage.gpu.fake;

import io.sage.spi.gpu.GpuDevice;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Objects;

/**
 * One fake GPU file and what was last read from it. The file is parsed again only when its
 * modification time or size changes, so {@code /gpu} can be polled cheaply while a test or demo
 * edits the file underneath.
 */
final class FakeGpuFile {
  /** What the file held when last read: devices, or the reason it could not be used. */
  record Reading(List<GpuDevice> devices, String problem) {
    boolean usable() {
      return problem == null;
    }
  }

  private record Stamp(FileTime modified, long size, Object fileKey) {}

  private final Path path;
  private Stamp stamp;
  private Reading reading;

  FakeGpuFile(Path path) {
    this.path = Objects.requireNonNull(path, "path");
  }

  Path path() {
    return path;
  }

  /** The file's content now; re-parsed only if the file changed since the last call. */
  synchronized Reading read() {
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(path, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      return forget("file " + path + " does not exist");
    } catch (IOException e) {
      return forget("cannot read file " + path + ": " + e.getMessage());
    }
    if (!attributes.isRegularFile()) {
      return forget(path + " is not a regular file");
    }
    Stamp now = new Stamp(attributes.lastModifiedTime(), attributes.size(), attributes.fileKey());
    if (!now.equals(stamp)) {
      reading = parse();
      stamp = now;
    }
    return reading;
  }

  private Reading parse() {
    try {
      String text = Files.readString(path, StandardCharsets.UTF_8);
      return new Reading(FakeGpuEntries.toDevices(FakeGpuJson.parseArrayOfObjects(text)), null);
    } catch (IOException e) {
      return new Reading(List.of(), "cannot read file " + path + ": " + e.getMessage());
    } catch (IllegalArgumentException e) {
      return new Reading(List.of(), path + ": " + e.getMessage());
    }
  }

  private Reading forget(String problem) {
    stamp = null;
    reading = null;
    return new Reading(List.of(), problem);
  }
}
