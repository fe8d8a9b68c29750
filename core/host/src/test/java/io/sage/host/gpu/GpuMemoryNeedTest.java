package io.sage.host.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sage.spi.engine.EngineContext;
import io.sage.spi.engine.EngineKind;
import io.sage.spi.engine.EngineRuntime;
import io.sage.spi.engine.EngineRuntimeFactory;
import io.sage.spi.engine.EngineSpec;
import io.sage.spi.engine.GpuMemoryRequest;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GpuMemoryNeedTest {
  private static final Optional<GpuMemoryRequest> NONE = Optional.empty();

  private static EngineSpec spec(String model, Map<String, String> options) {
    return new EngineSpec(
        model, null, EngineKind.LLM, "vllm", null, 1, List.of(), true, null, List.of(), options);
  }

  @Test
  void readsTheParameterCountFromCommonModelNames() {
    assertThat(GpuMemoryNeed.parameterBillions("Qwen/Qwen2.5-7B-Instruct")).hasValue(7);
    assertThat(GpuMemoryNeed.parameterBillions("meta-llama/llama-3-70b")).hasValue(70);
    assertThat(GpuMemoryNeed.parameterBillions("Qwen/Qwen2.5-0.5B")).hasValue(0.5);
    assertThat(GpuMemoryNeed.parameterBillions("Qwen/Qwen3-30B-A3B")).hasValue(30);
    assertThat(GpuMemoryNeed.parameterBillions("mistralai/Mixtral-8x7B-Instruct-v0.1"))
        .hasValue(56);
    assertThat(GpuMemoryNeed.parameterBillions("facebook/opt-125m")).hasValue(0.125);
    assertThat(GpuMemoryNeed.parameterBillions("meta-llama/Llama-3.1-405B-Instruct-FP8"))
        .hasValue(405);
  }

  @Test
  void findsNoParameterCountWhereNoneIsNamed() {
    assertThat(GpuMemoryNeed.parameterBillions("gpt2")).isEmpty();
    assertThat(GpuMemoryNeed.parameterBillions("org/model-4bit-v2")).isEmpty();
    assertThat(GpuMemoryNeed.parameterBillions("BAAI/bge-m3")).isEmpty();
    assertThat(GpuMemoryNeed.parameterBillions("/models/b7b-x")).isEmpty();
  }

  @Test
  void whatTheRuntimeDeclaresWins() {
    GpuMemoryNeed need =
        GpuMemoryNeed.of(
            spec("Qwen/Qwen2.5-7B-Instruct", Map.of()),
            2,
            Optional.of(new GpuMemoryRequest(60 * 1024, "option gpu_memory_gb=60 per GPU")));
    assertThat(need.perGpuMib()).isEqualTo(60 * 1024);
    assertThat(need.source()).isEqualTo("option gpu_memory_gb=60 per GPU");
  }

  @Test
  void theRuntimeIsAsked() {
    EngineRuntimeFactory runtime =
        new EngineRuntimeFactory() {
          @Override
          public String kind() {
            return "sized";
          }

          @Override
          public Optional<GpuMemoryRequest> gpuMemoryNeed(EngineSpec spec) {
            return Optional.of(new GpuMemoryRequest(1234, "from " + spec.model()));
          }

          @Override
          public EngineRuntime create(EngineContext context) {
            throw new UnsupportedOperationException();
          }
        };
    assertThat(GpuMemoryNeed.of(spec("gpt2", Map.of()), 1, runtime))
        .isEqualTo(new GpuMemoryNeed(1234, "from gpt2"));
  }

  @Test
  void theEstimateIsTwoBytesPerParameterPlusTwentyPercentSpreadOverTheGpus() {
    // 7e9 parameters x 2 bytes x 1.2 = 16.8e9 bytes = 16022 MiB (rounded up)
    assertThat(GpuMemoryNeed.of(spec("Qwen/Qwen2.5-7B-Instruct", Map.of()), 1, NONE).perGpuMib())
        .isEqualTo(16022);
    assertThat(GpuMemoryNeed.of(spec("Qwen/Qwen2.5-7B-Instruct", Map.of()), 2, NONE).perGpuMib())
        .isEqualTo(8011);
  }

  @Test
  void withoutDeclarationOrParameterCountTheDefaultApplies() {
    GpuMemoryNeed need = GpuMemoryNeed.of(spec("gpt2", Map.of()), 2, NONE);
    assertThat(need.perGpuMib()).isEqualTo(GpuMemoryNeed.DEFAULT_TOTAL_MIB / 2);
    assertThat(need.source()).contains("default");
  }

  @Test
  void theHostReadsNoRuntimeOption() {
    // gpu_memory_gb is vLLM's: without the runtime declaring it, the host estimates
    GpuMemoryNeed need = GpuMemoryNeed.of(spec("gpt2", Map.of("gpu_memory_gb", "60")), 1, NONE);
    assertThat(need.perGpuMib()).isEqualTo(GpuMemoryNeed.DEFAULT_TOTAL_MIB);
  }

  @Test
  void aGpuCountBelowOneIsABug() {
    assertThatThrownBy(() -> GpuMemoryNeed.of(spec("gpt2", Map.of()), 0, NONE))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
