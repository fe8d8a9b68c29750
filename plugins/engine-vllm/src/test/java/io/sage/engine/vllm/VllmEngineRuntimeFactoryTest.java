package io.sage.engine.vllm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import io.sage.spi.engine.EngineKind;
import io.sage.spi.engine.EngineSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VllmEngineRuntimeFactoryTest {
  private final VllmEngineRuntimeFactory factory = new VllmEngineRuntimeFactory(name -> null);

  private List<String> problemsOf(String model, List<String> args, Map<String, String> options) {
    return factory.validate(FakeEngineContext.spec(model, 1, args, options));
  }

  private List<String> argProblems(String... args) {
    return problemsOf("org/model", List.of(args), Map.of());
  }

  @Test
  void describesItself() {
    assertThat(factory.kind()).isEqualTo("vllm");
    assertThat(factory.engineKinds())
        .containsExactlyInAnyOrder(EngineKind.LLM, EngineKind.EMBEDDING);
    assertThat(factory.usesGpus()).isTrue();
    assertThat(factory.startupTimeout()).isEqualTo(Duration.ofSeconds(900));
    assertThat(factory.secretOptions()).isEmpty();
  }

  @Test
  void acceptsAFullyLoadedSpec() {
    List<String> problems =
        problemsOf(
            "meta-llama/Llama-3.1-8B-Instruct",
            List.of(
                "--max-model-len",
                "8192",
                "--dtype=bfloat16",
                "--enable-prefix-caching",
                "--trust-remote-code",
                "--quantization",
                "awq",
                "--max-num-seqs=64",
                "--task",
                "embed",
                "--pipeline-parallel-size",
                "2"),
            Map.of(
                "vllm_command",
                "/opt/vllm/bin/vllm",
                "gpu_memory_utilization",
                "0.85",
                "gpu_memory_gb",
                "40"));

    assertThat(problems).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "gpt2",
        "org/name",
        "Qwen/Qwen2.5-0.5B-Instruct",
        "/models/llama",
        "./models/llama",
        "../shared/models/x",
        "/models/with..dots"
      })
  void acceptsHubIdsAndLocalPaths(String model) {
    assertThat(problemsOf(model, List.of(), Map.of())).isEmpty();
  }

  @Test
  void refusesBadModelNames() {
    assertThat(problemsOf("--help", List.of(), Map.of()))
        .containsExactly("model must not start with '-': '--help'");
    assertThat(problemsOf("org/na me", List.of(), Map.of()))
        .containsExactly("model must not contain whitespace: 'org/na me'");
    assertThat(problemsOf("org/x\u0000y", List.of(), Map.of()))
        .containsExactly("model must not contain control characters");
    assertThat(problemsOf("~/models/x", List.of(), Map.of()))
        .singleElement()
        .asString()
        .contains("starts with '~'");
    assertThat(problemsOf("a/b/c", List.of(), Map.of()))
        .singleElement()
        .asString()
        .contains("neither a Hugging Face id (org/name) nor a local path");
    assertThat(problemsOf("org/..", List.of(), Map.of())).hasSize(1);
  }

  @Test
  void refusesAServedNameThatLooksLikeAFlag() {
    EngineSpec spec =
        new EngineSpec(
            "org/model",
            "--port",
            EngineKind.LLM,
            "vllm",
            null,
            1,
            List.of(),
            true,
            null,
            List.of(),
            Map.of());

    assertThat(factory.validate(spec)).containsExactly("served_model_name must not start with '-'");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "--host",
        "--port",
        "--api-key",
        "--served-model-name",
        "--tensor-parallel-size",
        "--gpu-memory-utilization",
        "--model"
      })
  void refusesFlagsTheGatewaySets(String flag) {
    assertThat(argProblems(flag, "x"))
        .singleElement()
        .asString()
        .startsWith("extra_args flag " + flag + " is not allowed: the gateway sets it");
    assertThat(argProblems(flag + "=x"))
        .singleElement()
        .asString()
        .startsWith("extra_args flag " + flag + " is not allowed");
  }

  @Test
  void namesAFlagOutsideTheAllowList() {
    assertThat(argProblems("--allowed-local-media-path=/"))
        .singleElement()
        .asString()
        .startsWith("extra_args flag --allowed-local-media-path is not in the vLLM allow-list")
        .contains("--max-model-len", "--enforce-eager");
  }

  @Test
  void refusesValuesThatWouldReadAsFlags() {
    assertThat(argProblems("--dtype", "--host", "0.0.0.0"))
        .first()
        .asString()
        .isEqualTo(
            "extra_args flag --dtype needs a value that is not empty, does not start with"
                + " '-' and has no control characters");
    assertThat(argProblems("--dtype=")).hasSize(1);
    assertThat(argProblems("--max-model-len"))
        .containsExactly("extra_args flag --max-model-len needs a value");
  }

  @Test
  void checksSwitchesNumbersAndStrayWords() {
    assertThat(argProblems("--enforce-eager=true"))
        .containsExactly("extra_args flag --enforce-eager takes no value");
    assertThat(argProblems("--max-num-seqs", "many"))
        .containsExactly("extra_args flag --max-num-seqs needs a whole number, got 'many'");
    assertThat(argProblems("serve"))
        .singleElement()
        .asString()
        .startsWith("extra_args[0] 'serve' is not a flag");
    assertThat(argProblems("--seed", "1\n")).hasSize(1);
    assertThat(argProblems("-p", "80")).hasSize(2);
  }

  @Test
  void checksOptions() {
    assertThat(problemsOf("org/model", List.of(), Map.of("gpu_memory_utilization", "0")))
        .containsExactly("option gpu_memory_utilization must be above 0 and at most 1, got 0");
    assertThat(problemsOf("org/model", List.of(), Map.of("gpu_memory_utilization", "1.5")))
        .hasSize(1);
    assertThat(problemsOf("org/model", List.of(), Map.of("gpu_memory_utilization", "most")))
        .containsExactly("option gpu_memory_utilization must be a number, got 'most'");
    assertThat(problemsOf("org/model", List.of(), Map.of("gpu_memory_gb", "-1")))
        .containsExactly(
            "option gpu_memory_gb must be a number of GiB per GPU from 0.125 to 1000000, got -1");
    // a figure that would reserve next to nothing (issue 19)
    assertThat(problemsOf("org/model", List.of(), Map.of("gpu_memory_gb", "0.000000001")))
        .containsExactly(
            "option gpu_memory_gb must be a number of GiB per GPU from 0.125 to 1000000, got"
                + " 0.000000001");
    assertThat(problemsOf("org/model", List.of(), Map.of("vllm_command", "python -m vllm")))
        .singleElement()
        .asString()
        .contains("not a command line")
        .contains("wrapper script");
    assertThat(problemsOf("org/model", List.of(), Map.of("latency_ms", "5")))
        .containsExactly(
            "unknown option 'latency_ms' for runtime vllm (accepted:"
                + " gpu_memory_gb, gpu_memory_utilization, vllm_command)");
  }

  @Test
  void reportsEveryProblemAtOnce() {
    List<String> problems =
        problemsOf(
            "-x",
            List.of("--port", "1", "--bogus"),
            Map.of("gpu_memory_utilization", "2", "colour", "red"));

    assertThat(problems).hasSize(5);
  }

  @Test
  void explicitGpuIdsMustMatchTheParallelism() {
    EngineSpec spec =
        new EngineSpec(
            "org/model",
            null,
            EngineKind.LLM,
            "vllm",
            null,
            2,
            List.of(0, 1),
            true,
            null,
            List.of("--pipeline-parallel-size", "2"),
            Map.of());

    assertThat(factory.validate(spec))
        .containsExactly(
            "gpu_ids names 2 GPUs but vLLM needs 4"
                + " (tensor_parallel_size x --pipeline-parallel-size)");
  }

  @Test
  void createRefusesASpecThatNoLongerValidates() {
    EngineSpec spec =
        FakeEngineContext.spec("org/model", 1, List.of("--host", "0.0.0.0"), Map.of());
    FakeEngineContext context =
        new FakeEngineContext("e-7", spec, "127.0.0.1", 8100, List.of(), Path.of("/tmp"), "key");

    assertThatThrownBy(() -> factory.create(context))
        .isInstanceOf(SageException.class)
        .hasMessageStartingWith("engine e-7: extra_args flag --host is not allowed")
        .extracting(e -> ((SageException) e).code())
        .isEqualTo(ErrorCode.INVALID_REQUEST);
  }
}
