package io.sage.host.engine;

import io.sage.spi.engine.EngineKind;
import io.sage.spi.engine.EngineSpec;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Engine records for tests. */
public final class Records {
  private Records() {}

  public static EngineRecord starting(String id, String model, EngineKind kind) {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    EngineSpec spec =
        new EngineSpec(
            model, model, kind, "mock", null, 1, List.of(), false, null, List.of(), Map.of());
    return EngineRecord.starting(
        id, spec, Placement.local("127.0.0.1", 41000, List.of(), 0), "k", now);
  }

  /** A live entry for a record, for tests outside this package. */
  public static EngineEntry entry(EngineRecord record) {
    return new EngineEntry(record);
  }
}
