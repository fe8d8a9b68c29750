package io.sage.gpu.fake;

import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import io.sage.spi.gpu.GpuDevice;
import io.sage.spi.gpu.GpuProvider;
import io.sage.spi.gpu.GpuStatus;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.pf4j.Extension;

/**
 * GPUs read from a JSON file (docs/spec.md §7) named by the environment variable {@value
 * #ENV_VARIABLE}, or by the system property {@value #SYSTEM_PROPERTY} (which wins, so a test can
 * point one JVM at its own file). For tests and demos on machines without GPUs.
 */
@Extension
public final class FakeGpuProvider implements GpuProvider {
  public static final String NAME = "fake";
  public static final String ENV_VARIABLE = "SAGE_GPU_FAKE";
  public static final String SYSTEM_PROPERTY = "sage.gpu.fake";

  private final Supplier<Optional<String>> location;
  private FakeGpuFile file;

  /** Reads the file named by the system property, else by the environment variable. */
  public FakeGpuProvider() {
    this(FakeGpuProvider::configuredLocation);
  }

  FakeGpuProvider(Supplier<Optional<String>> location) {
    this.location = location;
  }

  @Override
  public String name() {
    return NAME;
  }

  /** Above nvml (10): a real GPU wins when both are available. */
  @Override
  public int priority() {
    return 50;
  }

  @Override
  public GpuStatus status() {
    try {
      return current()
          .map(FakeGpuProvider::statusOf)
          .orElseGet(() -> GpuStatus.unavailable(unavailable(unconfigured())));
    } catch (RuntimeException bug) {
      return GpuStatus.unavailable(unavailable("unexpected failure: " + bug));
    }
  }

  @Override
  public List<GpuDevice> devices() {
    FakeGpuFile.Reading reading = current().orElseThrow(() -> failure(unconfigured()));
    if (!reading.usable()) {
      throw failure(reading.problem());
    }
    return reading.devices();
  }

  private static GpuStatus statusOf(FakeGpuFile.Reading reading) {
    if (!reading.usable()) {
      return GpuStatus.unavailable(unavailable(reading.problem()));
    }
    int count = reading.devices().size();
    return GpuStatus.ok("fake GPU provider: " + count + (count == 1 ? " GPU" : " GPUs"));
  }

  /** The file's reading, or empty when no file is configured. */
  private synchronized Optional<FakeGpuFile.Reading> current() {
    Optional<String> named = location.get().filter(value -> !value.isBlank());
    if (named.isEmpty()) {
      file = null;
      return Optional.empty();
    }
    Path path;
    try {
      path = Path.of(named.get().trim());
    } catch (InvalidPathException e) {
      file = null;
      return Optional.of(
          new FakeGpuFile.Reading(
              List.of(), ENV_VARIABLE + " is not a valid path: " + e.getMessage()));
    }
    if (file == null || !file.path().equals(path)) {
      file = new FakeGpuFile(path);
    }
    return Optional.of(file.read());
  }

  private static String unconfigured() {
    return ENV_VARIABLE + " is not set (name a JSON file of" + " GPUs, see docs/spec.md §7)";
  }

  private static SageException failure(String reason) {
    return new SageException(ErrorCode.PLUGIN_FAILURE, unavailable(reason));
  }

  private static String unavailable(String reason) {
    return "fake GPU provider unavailable: " + reason;
  }

  private static Optional<String> configuredLocation() {
    String property = System.getProperty(SYSTEM_PROPERTY);
    if (property != null && !property.isBlank()) {
      return Optional.of(property);
    }
    return Optional.ofNullable(System.getenv(ENV_VARIABLE));
  }
}
