package io.sage.engine.vllm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import io.sage.spi.engine.EngineKind;
import io.sage.spi.engine.EngineSpec;
import io.sage.spi.engine.HealthProbe;
import io.sage.spi.engine.LaunchCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VllmEngineRuntimeTest {
  @TempDir Path dir;
  private Path vllm;
  private final Map<String, String> gatewayEnvironment = new HashMap<>();

  @BeforeEach
  void writeExecutable() throws IOException {
    vllm = executable(dir.resolve("bin/vllm"));
  }

  private static Path executable(Path path) throws IOException {
    Files.createDirectories(path.getParent());
    Files.writeString(path, "#!/bin/sh\nexit 0\n");
    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
    return path;
  }

  private LaunchCommand launch(EngineSpec spec, List<Integer> gpus) {
    FakeEngineContext context =
        new FakeEngineContext("engine-1", spec, "127.0.0.1", 8123, gpus, dir, "sk-engine-secret");
    return new VllmEngineRuntimeFactory(gatewayEnvironment::get).create(context).launchCommand();
  }

  private EngineSpec spec(List<String> args, Map<String, String> options) {
    return FakeEngineContext.spec("Qwen/Qwen2.5-7B-Instruct", 2, args, options);
  }

  @Test
  void buildsTheExactArgv() {
    LaunchCommand command =
        launch(
            spec(
                List.of("--max-model-len", "8192", "--enable-prefix-caching"),
                Map.of("vllm_command", vllm.toString(), "gpu_memory_utilization", "0.90")),
            List.of(2, 3));

    assertThat(command.argv())
        .containsExactly(
            vllm.toString(),
            "serve",
            "Qwen/Qwen2.5-7B-Instruct",
            "--host",
            "127.0.0.1",
            "--port",
            "8123",
            "--served-model-name",
            "served-2",
            "--tensor-parallel-size",
            "2",
            "--gpu-memory-utilization",
            "0.90",
            "--max-model-len",
            "8192",
            "--enable-prefix-caching");
    assertThat(command.environment())
        .containsOnly(
            Map.entry("CUDA_VISIBLE_DEVICES", "2,3"),
            Map.entry("VLLM_API_KEY", "sk-engine-secret"));
    assertThat(String.join(" ", command.argv())).doesNotContain("sk-engine-secret");
    assertThat(command.workingDirectory()).isEqualTo(dir);
  }

  @Test
  void leavesOutGpuMemoryUtilizationWhenUnset() {
    gatewayEnvironment.put("SAGE_VLLM_COMMAND", vllm.toString());

    LaunchCommand command = launch(spec(List.of(), Map.of()), List.of(0));

    assertThat(command.argv())
        .doesNotContain("--gpu-memory-utilization")
        .doesNotContain("--api-key");
  }

  @Test
  void hidesEveryGpuFromAnEngineThatMustNotUseThem() {
    gatewayEnvironment.put("SAGE_VLLM_COMMAND", vllm.toString());
    EngineSpec cpuOnly =
        new EngineSpec(
            "org/model",
            null,
            EngineKind.LLM,
            "vllm",
            null,
            1,
            List.of(),
            false,
            null,
            List.of(),
            Map.of());

    assertThat(launch(cpuOnly, List.of()).environment())
        .containsOnly(
            Map.entry("CUDA_VISIBLE_DEVICES", ""), Map.entry("VLLM_API_KEY", "sk-engine-secret"));
    assertThat(launch(spec(List.of(), Map.of()), List.of()).environment())
        .containsOnly(Map.entry("VLLM_API_KEY", "sk-engine-secret"));
  }

  @Test
  void optionWinsOverEnvironmentWhichWinsOverTheDefault() throws IOException {
    Path other = executable(dir.resolve("other/vllm-wrapper"));
    gatewayEnvironment.put("SAGE_VLLM_COMMAND", other.toString());
    gatewayEnvironment.put("PATH", "/nonexistent:" + vllm.getParent());

    assertThat(
            launch(spec(List.of(), Map.of("vllm_command", vllm.toString())), List.of(0))
                .argv()
                .get(0))
        .isEqualTo(vllm.toString());
    assertThat(launch(spec(List.of(), Map.of()), List.of(0)).argv().get(0))
        .isEqualTo(other.toString());

    gatewayEnvironment.remove("SAGE_VLLM_COMMAND");
    assertThat(launch(spec(List.of(), Map.of()), List.of(0)).argv().get(0))
        .isEqualTo(vllm.toString());
  }

  @Test
  void missingCommandFailsTheLaunchNamingTheEngine() throws IOException {
    gatewayEnvironment.put("PATH", "/nonexistent");
    assertThatThrownBy(() -> launch(spec(List.of(), Map.of()), List.of(0)))
        .isInstanceOf(SageException.class)
        .hasMessage(
            "engine engine-1: vLLM command 'vllm' (from the default) is not on the PATH;"
                + " install vLLM or set option vllm_command or SAGE_VLLM_COMMAND to its path")
        .extracting(e -> ((SageException) e).code())
        .isEqualTo(ErrorCode.LAUNCH_FAILED);

    Path notExecutable = Files.writeString(dir.resolve("plain"), "x");
    assertThatThrownBy(
            () ->
                launch(
                    spec(List.of(), Map.of("vllm_command", notExecutable.toString())), List.of(0)))
        .hasMessage(
            "engine engine-1: vLLM command '"
                + notExecutable
                + "' (from option vllm_command) is not an executable file");

    gatewayEnvironment.put("SAGE_VLLM_COMMAND", "python -m vllm");
    assertThatThrownBy(() -> launch(spec(List.of(), Map.of()), List.of(0)))
        .hasMessageContaining("SAGE_VLLM_COMMAND must name a single executable");
  }

  @Test
  void probesAndStopsLikeVllmNeeds() {
    FakeEngineContext llm =
        new FakeEngineContext("e", spec(List.of(), Map.of()), "127.0.0.1", 1, List.of(), dir, "k");
    EngineSpec embedding =
        new EngineSpec(
            "org/embed",
            null,
            EngineKind.EMBEDDING,
            "vllm",
            null,
            1,
            List.of(),
            true,
            null,
            List.of("--task", "embed"),
            Map.of());
    VllmEngineRuntimeFactory factory = new VllmEngineRuntimeFactory(name -> null);

    assertThat(factory.create(llm).healthProbe()).isEqualTo(new HealthProbe("/health", true));
    assertThat(
            factory
                .create(new FakeEngineContext("e", embedding, "127.0.0.1", 1, List.of(), dir, "k"))
                .healthProbe())
        .isEqualTo(new HealthProbe("/health", false));
    assertThat(factory.create(llm).stopGracePeriod()).isEqualTo(Duration.ofSeconds(30));
  }
}
