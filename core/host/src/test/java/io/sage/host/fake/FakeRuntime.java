package io.sage.host.fake;

import io.sage.spi.engine.EngineContext;
import io.sage.spi.engine.EngineKind;
import io.sage.spi.engine.EngineRuntime;
import io.sage.spi.engine.EngineRuntimeFactory;
import io.sage.spi.engine.EngineSpec;
import io.sage.spi.engine.GpuMemoryRequest;
import io.sage.spi.engine.HealthProbe;
import io.sage.spi.engine.LaunchCommand;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A runtime plugin for host tests: launches {@code fake-engine --port N}, with a settable startup
 * timeout, SIGKILL grace, GPU use and option checks. Every context it was given is kept.
 */
public class FakeRuntime implements EngineRuntimeFactory {
  private final String kind;
  private volatile Duration startupTimeout = Duration.ofSeconds(30);
  private volatile Duration stopGrace = Duration.ofSeconds(10);
  private volatile boolean usesGpus;
  private volatile RuntimeException createFailure;
  private final List<EngineContext> contexts = new ArrayList<>();

  public FakeRuntime(String kind) {
    this.kind = kind;
  }

  public FakeRuntime startupTimeout(Duration timeout) {
    this.startupTimeout = timeout;
    return this;
  }

  public FakeRuntime stopGrace(Duration grace) {
    this.stopGrace = grace;
    return this;
  }

  public FakeRuntime usingGpus() {
    this.usesGpus = true;
    return this;
  }

  /** The next {@link #create} throws this (a plugin bug). */
  public void failNextCreate(RuntimeException failure) {
    this.createFailure = failure;
  }

  public synchronized List<EngineContext> contexts() {
    return List.copyOf(contexts);
  }

  @Override
  public String kind() {
    return kind;
  }

  @Override
  public boolean usesGpus() {
    return usesGpus;
  }

  @Override
  public Duration startupTimeout() {
    return startupTimeout;
  }

  @Override
  public Set<String> secretOptions() {
    return Set.of("hf_auth");
  }

  /** Accepts only the option {@code size_gb} (and the secret {@code hf_auth}). */
  @Override
  public List<String> validate(EngineSpec spec) {
    List<String> problems = new ArrayList<>();
    for (String name : spec.options().keySet()) {
      if (!name.equals("size_gb") && !name.equals("hf_auth")) {
        problems.add("unknown option '" + name + "' for runtime " + kind);
      }
    }
    return problems;
  }

  @Override
  public Optional<GpuMemoryRequest> gpuMemoryNeed(EngineSpec spec) {
    return Optional.ofNullable(spec.options().get("size_gb"))
        .map(gb -> new GpuMemoryRequest(Long.parseLong(gb) * 1024, "option size_gb=" + gb));
  }

  @Override
  public EngineRuntime create(EngineContext context) {
    RuntimeException failure = createFailure;
    if (failure != null) {
      createFailure = null;
      throw failure;
    }
    synchronized (this) {
      contexts.add(context);
    }
    Duration grace = stopGrace;
    EngineKind engineKind = context.spec().kind();
    return new EngineRuntime() {
      @Override
      public LaunchCommand launchCommand() {
        return new LaunchCommand(
            List.of("fake-engine", "--port", Integer.toString(context.port())),
            Map.of("FAKE_MODEL", context.spec().model()),
            context.workDirectory());
      }

      @Override
      public HealthProbe healthProbe() {
        return HealthProbe.standard(engineKind);
      }

      @Override
      public Duration stopGracePeriod() {
        return grace;
      }
    };
  }
}
