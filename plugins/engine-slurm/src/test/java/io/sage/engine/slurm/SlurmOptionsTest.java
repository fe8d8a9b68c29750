package io.sage.engine.slurm;

import static org.assertj.core.api.Assertions.assertThat;

import io.sage.spi.engine.EngineKind;
import io.sage.spi.engine.EngineSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SlurmOptionsTest {
  static EngineSpec spec(int tp, Map<String, String> options) {
    return new EngineSpec(
        "m", null, EngineKind.LLM, "slurm", null, tp, List.of(), true, null, List.of(), options);
  }

  @Test
  void validOptionsBecomeSbatchArguments() {
    EngineSpec spec =
        spec(
            2,
            Map.of(
                "partition", "gpu,debug",
                "account", "lab-1",
                "qos", "normal",
                "time_limit", "1-02:00:00",
                "constraint", "a100&[rack1|rack2]",
                "cpus_per_task", "8",
                "mem", "64G",
                "extra_sbatch_args", "--exclusive  --nice=10 --nodelist=node[1-3]",
                "inner_runtime", "mock"));
    assertThat(SlurmOptions.problems(spec)).isEmpty();
    assertThat(SlurmOptions.sbatchArgs(spec))
        .containsExactly(
            "--partition=gpu,debug",
            "--account=lab-1",
            "--qos=normal",
            "--time=1-02:00:00",
            "--constraint=a100&[rack1|rack2]",
            "--cpus-per-task=8",
            "--mem=64G",
            "--gres=gpu:2",
            "--exclusive",
            "--nice=10",
            "--nodelist=node[1-3]");
  }

  @Test
  void shellMetacharactersAndUnknownFlagsAreRefusedNamingTheField() {
    assertThat(SlurmOptions.problems(spec(1, Map.of("partition", "gpu;rm -rf /"))))
        .singleElement()
        .asString()
        .startsWith("partition must be");
    assertThat(SlurmOptions.problems(spec(1, Map.of("account", "$(id)"))))
        .singleElement()
        .asString()
        .startsWith("account must be");
    assertThat(SlurmOptions.problems(spec(1, Map.of("constraint", "a`id`"))))
        .singleElement()
        .asString()
        .startsWith("constraint must be");
    assertThat(SlurmOptions.problems(spec(1, Map.of("extra_sbatch_args", "--wrap=id"))))
        .singleElement()
        .asString()
        .startsWith("extra_sbatch_args: '--wrap=id' is not allowed");
    assertThat(SlurmOptions.problems(spec(1, Map.of("extra_sbatch_args", "--partition=x"))))
        .singleElement()
        .asString()
        .contains("not allowed");
    assertThat(SlurmOptions.problems(spec(1, Map.of("extra_sbatch_args", "--nice=$(id)"))))
        .singleElement()
        .asString()
        .contains("needs a value");
    assertThat(SlurmOptions.problems(spec(1, Map.of("extra_sbatch_args", "--exclusive=1"))))
        .singleElement()
        .asString()
        .contains("takes no value");
    assertThat(SlurmOptions.problems(spec(1, Map.of("cpus_per_task", "0"))))
        .singleElement()
        .asString()
        .startsWith("cpus_per_task");
    assertThat(SlurmOptions.problems(spec(1, Map.of("port_range", "30000-20000"))))
        .singleElement()
        .asString()
        .startsWith("port_range");
    assertThat(SlurmOptions.problems(spec(1, Map.of("inner_runtime", "slurm"))))
        .singleElement()
        .asString()
        .startsWith("inner_runtime");
    assertThat(SlurmOptions.problems(spec(1, Map.of("time_limit", "soon")))).hasSize(1);
  }

  @Test
  void anEngineWithoutGpusAsksForNoGres() {
    EngineSpec spec =
        new EngineSpec(
            "m",
            null,
            EngineKind.LLM,
            "slurm",
            null,
            1,
            List.of(),
            false,
            null,
            List.of(),
            Map.of());
    assertThat(SlurmOptions.sbatchArgs(spec)).isEmpty();
  }
}
