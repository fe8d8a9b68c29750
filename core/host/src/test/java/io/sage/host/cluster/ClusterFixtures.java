package io.sage.host.cluster;

import io.sage.host.engine.EngineRecord;
import io.sage.host.engine.EngineState;
import io.sage.host.engine.Placement;
import io.sage.spi.engine.EngineKind;
import io.sage.spi.engine.EngineSpec;
import java.time.Instant;
import java.util.List;

/** Nodes and engines for the cluster tests. */
final class ClusterFixtures {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private ClusterFixtures() {}

  static Node node(String id, Instant lastSeen, long... gpuMib) {
    List<NodeGpu> gpus = new java.util.ArrayList<>();
    for (int i = 0; i < gpuMib.length; i++) {
      gpus.add(new NodeGpu(i, "Fake H100", gpuMib[i]));
    }
    return new Node(id, "http://" + id + ":8000", "0.1.0", gpus, T0, lastSeen);
  }

  /** An engine in {@code state} on port {@code port}, holding {@code mib} on each of its GPUs. */
  static EngineRecord engine(String id, EngineState state, int port, long mib, Integer... gpus) {
    EngineSpec spec =
        new EngineSpec(
            "m-" + id, null, EngineKind.LLM, "mock", null, 1, null, false, null, null, null);
    EngineRecord starting =
        EngineRecord.starting(
            id, spec, Placement.local("127.0.0.1", port, List.of(gpus), mib), "key-" + id, T0);
    return state == EngineState.STARTING ? starting : starting.withState(state, T0);
  }
}
