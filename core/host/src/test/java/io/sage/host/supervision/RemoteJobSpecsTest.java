package io.sage.host.supervision;

import static org.assertj.core.api.Assertions.assertThat;

import io.sage.host.engine.EngineRecord;
import io.sage.host.engine.ProcessIdentity;
import io.sage.host.engine.Records;
import io.sage.spi.engine.EngineContext;
import io.sage.spi.engine.EngineKind;
import io.sage.spi.engine.EngineSpec;
import io.sage.spi.engine.LaunchCommand;
import io.sage.spi.job.JobStatus;
import io.sage.spi.job.RemoteJobs;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RemoteJobSpecsTest {
  /** A scheduler that owns the options {@code partition} and {@code inner}. */
  static final class FakeJobs implements RemoteJobs {
    @Override
    public String innerRuntime(EngineSpec spec) {
      return spec.option("inner", "vllm");
    }

    @Override
    public Set<String> schedulerOptions() {
      return Set.of("partition", "inner");
    }

    @Override
    public String submit(EngineContext context, LaunchCommand command, Path logFile) {
      return "1";
    }

    @Override
    public JobStatus observe(String handle, String engineId) {
      return JobStatus.gone("fake");
    }

    @Override
    public String cancel(String handle, String engineId, Duration grace) {
      return "cancelled";
    }
  }

  @Test
  void theInnerRuntimeSeesItsOwnOptionsOnlyAndNoPlacedGpus() {
    EngineSpec spec =
        new EngineSpec(
            "org/model-7B",
            "served",
            EngineKind.LLM,
            "slurm",
            null,
            2,
            List.of(0, 1),
            true,
            "label",
            List.of("--max-model-len", "4096"),
            Map.of("partition", "gpu", "inner", "mock", "latency_ms", "5"));
    EngineSpec inner = RemoteJobSpecs.innerSpec(new FakeJobs(), spec);
    assertThat(inner.runtime()).isEqualTo("mock");
    assertThat(inner.options()).containsExactly(Map.entry("latency_ms", "5"));
    assertThat(inner.requestedGpuIds()).isEmpty();
    assertThat(inner.tensorParallelSize()).isEqualTo(2);
    assertThat(inner.servedModelName()).isEqualTo("served");
    assertThat(inner.extraArgs()).containsExactly("--max-model-len", "4096");
  }

  @Test
  void theJobHandleIsReadBackFromTheCommandLineFieldOnly() {
    EngineRecord record = Records.starting("eng-000000000001", "m", EngineKind.LLM);
    Instant now = record.createdAt();
    assertThat(RemoteJobSupervision.handleOf(record)).isNull();
    assertThat(
            RemoteJobSupervision.handleOf(record.withProcess(ProcessIdentity.job("job:42"), now)))
        .isEqualTo("42");
    assertThat(
            RemoteJobSupervision.handleOf(
                record.withProcess(new ProcessIdentity(7, now, "job:42"), now)))
        .isNull();
  }
}
