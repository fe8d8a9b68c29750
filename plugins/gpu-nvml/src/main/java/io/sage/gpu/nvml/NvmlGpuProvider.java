package io.sage.gpu.nvml;

import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import io.sage.spi.gpu.GpuDevice;
import io.sage.spi.gpu.GpuProvider;
import io.sage.spi.gpu.GpuStatus;
import java.util.List;
import java.util.function.Supplier;
import org.pf4j.Extension;

/**
 * NVIDIA GPUs through NVML. NVML is loaded and initialised once, on first use, and the outcome is
 * kept: a machine without a driver answers "NVML unavailable: ..." from then on without touching
 * native code again. Calls into NVML are serialised on this provider; they may block (a wedged GPU
 * can stall NVML), which the host allows because it never calls a provider from its event loop.
 */
@Extension
public final class NvmlGpuProvider implements GpuProvider, AutoCloseable {
  public static final String NAME = "nvml";

  private final Supplier<NvmlState> loader;
  private NvmlState state;

  public NvmlGpuProvider() {
    this(() -> NvmlLoader.jna().load());
  }

  NvmlGpuProvider(Supplier<NvmlState> loader) {
    this.loader = loader;
  }

  @Override
  public String name() {
    return NAME;
  }

  /** Real GPUs come before the fake provider (50) when the host picks by itself. */
  @Override
  public int priority() {
    return 10;
  }

  @Override
  public synchronized GpuStatus status() {
    try {
      NvmlState current = state();
      if (current instanceof NvmlState.Ready ready) {
        int count = new NvmlReader(ready.library()).deviceCount();
        return GpuStatus.ok(
            "NVML ready: driver "
                + ready.driverVersion()
                + ", "
                + count
                + (count == 1 ? " GPU" : " GPUs"));
      }
      return GpuStatus.unavailable(((NvmlState.Unavailable) current).reason());
    } catch (SageException | LinkageError e) {
      return GpuStatus.unavailable("NVML unavailable: " + NvmlLoader.firstLine(e));
    } catch (RuntimeException bug) {
      return GpuStatus.unavailable("NVML unavailable: unexpected failure: " + bug);
    }
  }

  @Override
  public synchronized List<GpuDevice> devices() {
    try {
      NvmlState current = state();
      if (current instanceof NvmlState.Ready ready) {
        return new NvmlReader(ready.library()).devices();
      }
      throw new SageException(
          ErrorCode.PLUGIN_FAILURE,
          "GPU provider nvml: " + ((NvmlState.Unavailable) current).reason());
    } catch (LinkageError e) {
      // JNA missing (the plain jar instead of the plugin zip) or a symbol the driver lacks
      throw new SageException(
          ErrorCode.PLUGIN_FAILURE,
          "GPU provider nvml: NVML unavailable: " + NvmlLoader.firstLine(e),
          null,
          e);
    }
  }

  /** Shuts NVML down; a later call initialises it again. */
  @Override
  public synchronized void close() {
    if (state instanceof NvmlState.Ready ready) {
      try {
        ready.library().nvmlShutdown();
      } catch (LinkageError | RuntimeException ignored) {
        // the process is releasing NVML anyway; nothing left to recover
      }
    }
    state = null;
  }

  private NvmlState state() {
    if (state == null) {
      state = loader.get();
    }
    return state;
  }
}
