package io.sage.spi.engine;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.pf4j.ExtensionPoint;

/**
 * A kind of engine runtime ({@code mock}, {@code vllm}, {@code embedding}, ...), found by the host
 * as a PF4J extension. One instance lives as long as its plugin; it must be thread-safe.
 */
public interface EngineRuntimeFactory extends ExtensionPoint {

  /**
   * The stable name operators use in {@code runtime}: lower case letters, digits and dashes. Two
   * loaded factories with the same kind are an error reported for the second plugin.
   */
  String kind();

  /** The engine kinds this runtime can serve. Called on any thread; must not block. */
  default Set<EngineKind> engineKinds() {
    return EnumSet.allOf(EngineKind.class);
  }

  /** Whether engines of this runtime get GPUs placed for them (unless {@code use_gpu: false}). */
  default boolean usesGpus() {
    return false;
  }

  /**
   * The memory each of the engine's GPUs must have free, when the runtime can tell it from the
   * spec's options (vLLM reads {@code gpu_memory_gb}); empty lets the host estimate it from the
   * parameter count in the model name. The host owns no runtime's options, so this is the only way
   * such an option reaches placement.
   *
   * <p>Called by the host on a request thread when it places GPUs for an engine of a runtime that
   * {@link #usesGpus() uses GPUs} (at start, and at a restart after a stop), only after {@link
   * #validate(EngineSpec)} accepted the spec; must not block. Since SPI 1.1.
   */
  default Optional<GpuMemoryRequest> gpuMemoryNeed(EngineSpec spec) {
    return Optional.empty();
  }

  /** How long an engine may stay STARTING before it is ERROR (operators can override it). */
  default Duration startupTimeout() {
    return Duration.ofSeconds(30);
  }

  /** Option names whose values are secrets: masked wherever an engine is shown. */
  default Set<String> secretOptions() {
    return Set.of();
  }

  /**
   * Checks a spec before anything is stored or launched: options, extra arguments, model name.
   * Called on a request thread; must not block. Returns every problem at once, each a sentence
   * naming the field; an empty list means the spec is acceptable.
   */
  default List<String> validate(EngineSpec spec) {
    return List.of();
  }

  /**
   * Creates the runtime for one launch of one engine. Called by the host on a supervision worker
   * thread, after {@link #validate(EngineSpec)} accepted the spec and the host reserved the port
   * and GPUs named in the context. May block briefly.
   */
  EngineRuntime create(EngineContext context);

  /**
   * The scheduler interface of a runtime whose engines are jobs of an external scheduler (Slurm),
   * or empty for runtimes whose engines are child processes of the host (the default). Called by
   * the host on any thread; must not block and must return the same object every time.
   */
  default java.util.Optional<io.sage.spi.job.RemoteJobs> remoteJobs() {
    return java.util.Optional.empty();
  }
}
