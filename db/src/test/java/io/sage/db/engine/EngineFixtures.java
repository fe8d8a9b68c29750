package io.sage.db.engine;

import io.sage.host.engine.DesiredState;
import io.sage.host.engine.EngineEvent;
import io.sage.host.engine.EngineRecord;
import io.sage.host.engine.EngineState;
import io.sage.host.engine.Health;
import io.sage.host.engine.Lifecycle;
import io.sage.host.engine.Placement;
import io.sage.host.engine.ProcessIdentity;
import io.sage.spi.engine.EngineKind;
import io.sage.spi.engine.EngineSpec;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Engine records for tests: one with every field set, one with every optional field empty. */
public final class EngineFixtures {
  /** Has nanoseconds, which a millisecond or microsecond column would lose. */
  public static final Instant T0 = Instant.parse("2025-03-04T05:06:07.123456789Z");

  private EngineFixtures() {}

  public static EngineRecord full(String id, Instant createdAt) {
    EngineSpec spec =
        new EngineSpec(
            "meta-llama/Llama-3.1-8B-Instruct",
            "llama-8b",
            EngineKind.LLM,
            "vllm",
            8101,
            2,
            List.of(1, 3),
            true,
            "nightly eval",
            List.of("--max-model-len", "8192"),
            Map.of(
                "gpu_memory_utilization",
                "0.85",
                "vllm_command",
                "/opt/vllm/bin/vllm",
                "quote\"and,comma",
                "value with \"quotes\", commas and ünïcödé"));
    return new EngineRecord(
        id,
        spec,
        "sk-engine-secret",
        new Lifecycle(
            EngineState.READY,
            DesiredState.RUNNING,
            createdAt.plusSeconds(20),
            1,
            "3 health checks failed: connection refused"),
        new Placement("127.0.0.1", 8101, "http://127.0.0.1:8101", List.of(3, 1), 40960L),
        new ProcessIdentity(
            424242L,
            createdAt.plusMillis(5),
            "vllm serve meta-llama/Llama-3.1-8B-Instruct --port 8101"),
        new Health(createdAt.plusSeconds(29), 2),
        createdAt,
        createdAt.plusSeconds(30));
  }

  public static EngineRecord minimal(String id, Instant createdAt) {
    EngineSpec spec =
        new EngineSpec(
            "mini", null, EngineKind.EMBEDDING, "mock", null, 1, null, false, null, null, null);
    return EngineRecord.starting(
        id, spec, new Placement(null, null, null, List.of(), 0), null, createdAt);
  }

  public static EngineEvent firstEvent(EngineRecord engine) {
    return new EngineEvent(
        0, engine.id(), null, engine.state(), "engine launched", engine.createdAt());
  }
}
