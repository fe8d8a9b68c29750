package io.sage.gpu.nvml;

import com.sun.jna.Native;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads {@code libnvidia-ml} and initialises NVML, turning every way that can fail (no library, no
 * driver, JNA unable to load its own native part) into {@link NvmlState.Unavailable}. The library
 * name can be forced with the system property {@value #LIBRARY_PROPERTY} (a name or an absolute
 * path), for drivers installed outside the linker's path.
 */
final class NvmlLoader {
  static final String LIBRARY_PROPERTY = "sage.gpu.nvml.library";

  /** The driver ships the versioned name; the unversioned one exists only with dev packages. */
  static final List<String> DEFAULT_NAMES = List.of("libnvidia-ml.so.1", "nvidia-ml");

  /** Opens the native library; separate so tests can hand in a fake one. */
  @FunctionalInterface
  interface LibraryOpener {
    NvmlLibrary open(String name);
  }

  private final List<String> names;
  private final LibraryOpener opener;

  NvmlLoader(List<String> names, LibraryOpener opener) {
    this.names = List.copyOf(names);
    this.opener = opener;
  }

  /** Loads through JNA, honouring {@value #LIBRARY_PROPERTY}. */
  static NvmlLoader jna() {
    String forced = System.getProperty(LIBRARY_PROPERTY);
    List<String> names = forced == null || forced.isBlank() ? DEFAULT_NAMES : List.of(forced);
    return new NvmlLoader(names, name -> Native.load(name, NvmlLibrary.class));
  }

  NvmlState load() {
    List<String> failures = new ArrayList<>();
    for (String name : names) {
      NvmlLibrary library;
      try {
        library = opener.open(name);
      } catch (LinkageError | RuntimeException e) {
        failures.add(name + ": " + firstLine(e));
        continue;
      }
      return initialise(library);
    }
    return new NvmlState.Unavailable(
        "NVML unavailable: no NVIDIA driver found, libnvidia-ml could not be loaded ("
            + String.join("; ", failures)
            + ")");
  }

  private static NvmlState initialise(NvmlLibrary library) {
    try {
      int result = library.nvmlInit_v2();
      if (result != NvmlLibrary.SUCCESS) {
        String hint =
            result == NvmlLibrary.ERROR_DRIVER_NOT_LOADED
                ? "the NVIDIA kernel driver is not loaded: "
                : "nvmlInit_v2 failed: ";
        return new NvmlState.Unavailable(
            "NVML unavailable: " + hint + NvmlReader.describe(library, result));
      }
      byte[] version = new byte[NvmlLibrary.DRIVER_VERSION_BUFFER_SIZE];
      String driver =
          library.nvmlSystemGetDriverVersion(version, version.length) == NvmlLibrary.SUCCESS
              ? NvmlReader.text(version)
              : "unknown";
      return new NvmlState.Ready(library, driver);
    } catch (LinkageError | RuntimeException e) {
      return new NvmlState.Unavailable("NVML unavailable: " + firstLine(e));
    }
  }

  static String firstLine(Throwable e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int newline = message.indexOf('\n');
    return (newline < 0 ? message : message.substring(0, newline)).trim();
  }
}
