package io.sage.host.management;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sage.host.fake.FakeRuntime;
import io.sage.host.fake.FakeRuntimes;
import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import io.sage.spi.engine.EngineKind;
import io.sage.spi.engine.EngineRuntimeFactory;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StartValidationTest {
  final FakeRuntime vllm = new FakeRuntime("vllm").usingGpus();
  final FakeRuntime embeddingOnly =
      new FakeRuntime("embedding") {
        @Override
        public Set<EngineKind> engineKinds() {
          return EnumSet.of(EngineKind.EMBEDDING);
        }
      };

  StartValidation validation(EngineRuntimeFactory... runtimes) {
    return new StartValidation(new FakeRuntimes(runtimes));
  }

  static StartRequest request(String model, String kind, String runtime) {
    return new StartRequest(model, kind, runtime, null, null, null, null, null, null, null, null);
  }

  @Test
  void defaultsFillTheSpec() {
    StartValidation.Validated v = validation(vllm).validate(request("org/m", null, null));

    assertThat(v.runtime()).isSameAs(vllm);
    assertThat(v.spec().runtime()).isEqualTo("vllm");
    assertThat(v.spec().kind()).isEqualTo(EngineKind.LLM);
    assertThat(v.spec().tensorParallelSize()).isEqualTo(1);
    assertThat(v.spec().servedModelName()).isEqualTo("org/m");
    assertThat(v.spec().useGpu()).as("a GPU runtime uses GPUs unless told").isTrue();
    assertThat(v.spec().options()).isEmpty();
  }

  @Test
  void embeddingEnginesGoToTheEmbeddingRuntimeWhenThereIsOne() {
    assertThat(
            validation(vllm, embeddingOnly)
                .validate(request("e", "embedding", null))
                .spec()
                .runtime())
        .isEqualTo("embedding");
    assertThat(validation(vllm).validate(request("e", "embedding", null)).spec().runtime())
        .isEqualTo("vllm");
  }

  @Test
  void aRuntimeThatCannotServeTheKindIsRefused() {
    assertThatThrownBy(() -> validation(embeddingOnly).validate(request("m", "llm", "embedding")))
        .hasMessageContaining("runtime 'embedding' cannot serve engine_kind llm");
  }

  @Test
  void theRuntimeNameIsTrimmedAndLowerCased() {
    assertThat(validation(vllm).validate(request("m", null, "  VLLM ")).spec().runtime())
        .isEqualTo("vllm");
  }

  @Test
  void modelNamesAreCheckedForEveryField() {
    assertThatThrownBy(
            () ->
                validation(vllm)
                    .validate(
                        new StartRequest(
                            "bad name",
                            null,
                            "vllm",
                            null,
                            null,
                            null,
                            null,
                            "-x",
                            null,
                            null,
                            null)))
        .isInstanceOfSatisfying(
            SageException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
              assertThat(e.getMessage())
                  .contains("model must be 1-256 characters")
                  .contains("served_model_name must not start with '-'");
            });
    assertThatThrownBy(() -> validation(vllm).validate(request(null, null, "vllm")))
        .hasMessageContaining("model is required");
  }

  @Test
  void gpuIdsMustBeIndexes() {
    assertThatThrownBy(
            () ->
                validation(vllm)
                    .validate(
                        new StartRequest(
                            "m",
                            null,
                            "vllm",
                            null,
                            null,
                            java.util.Arrays.asList(-1, null),
                            null,
                            null,
                            null,
                            null,
                            null)))
        .hasMessageContaining("gpu_ids must be GPU indexes (0 or more), got -1")
        .hasMessageContaining("gpu_ids must be GPU indexes (0 or more), got null");
  }

  @Test
  void optionsAndExtraArgumentsAreCheckedByTheHostFirst() {
    assertThatThrownBy(
            () ->
                validation(vllm)
                    .validate(
                        new StartRequest(
                            "m",
                            null,
                            "vllm",
                            null,
                            null,
                            null,
                            null,
                            null,
                            "l\u0000bel",
                            List.of("--ok", "bad\narg"),
                            Map.of("Bad Key", "v"))))
        .hasMessageContaining("label must be at most 128 printable characters")
        .hasMessageContaining("extra_args entries must be printable strings")
        .hasMessageContaining("option name 'Bad Key' must be lower case letters, digits and _.-");
  }

  @Test
  void theRuntimesOwnProblemsComeAfterTheHostsPassed() {
    assertThatThrownBy(
            () ->
                validation(vllm)
                    .validate(
                        new StartRequest(
                            "m",
                            null,
                            "vllm",
                            null,
                            null,
                            null,
                            null,
                            null,
                            null,
                            null,
                            Map.of("colour", "red"))))
        .isInstanceOfSatisfying(
            SageException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_OPTION))
        .hasMessage(
            "invalid engine request for runtime vllm: unknown option 'colour' for runtime vllm");
  }

  @Test
  void useGpuFalseIsKept() {
    StartValidation.Validated v =
        validation(vllm)
            .validate(
                new StartRequest(
                    "m", null, "vllm", null, 2, List.of(0, 1), false, null, null, null, null));
    assertThat(v.spec().useGpu()).isFalse();
    assertThat(v.spec().tensorParallelSize()).isEqualTo(2);
    assertThat(v.spec().requestedGpuIds()).containsExactly(0, 1);
  }
}
