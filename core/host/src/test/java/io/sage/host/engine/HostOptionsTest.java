package io.sage.host.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.sage.spi.engine.EngineKind;
import io.sage.spi.engine.EngineSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class HostOptionsTest {

  @Test
  void noHostOptionsMeansTheDefaults() {
    assertThat(HostOptions.parse(Map.of("gpu_memory_utilization", "0.9")))
        .isEqualTo(new HostOptions.Parsed(HostOptions.DEFAULTS, List.of()));
    assertThat(HostOptions.parse(null).options()).isEqualTo(HostOptions.DEFAULTS);
  }

  @Test
  void parsesEveryHostOption() {
    HostOptions.Parsed parsed =
        HostOptions.parse(
            Map.of(
                "restart_policy", "never",
                "startup_timeout_s", "1800",
                "health_interval_s", "0.5",
                "health_failure_threshold", "7"));

    assertThat(parsed.problems()).isEmpty();
    assertThat(parsed.options())
        .isEqualTo(
            new HostOptions(
                HostOptions.Restarts.NEVER,
                Optional.of(Duration.ofMinutes(30)),
                Optional.of(Duration.ofMillis(500)),
                OptionalInt.of(7)));
  }

  @Test
  void reportsEveryProblemAtOnceAndKeepsTheDefaultsForThem() {
    HostOptions.Parsed parsed =
        HostOptions.parse(
            Map.of(
                "restart_policy", "sometimes",
                "startup_timeout_s", "0",
                "health_interval_s", "fast",
                "health_failure_threshold", "1000"));

    assertThat(parsed.problems())
        .containsExactlyInAnyOrder(
            "option restart_policy must be 'always' or 'never'",
            "option startup_timeout_s must be between 1.0 and 86400.0, got 0",
            "option health_interval_s must be a number, got 'fast'",
            "option health_failure_threshold must be between 1.0 and 100.0, got 1000");
    assertThat(parsed.options()).isEqualTo(HostOptions.DEFAULTS);
  }

  @Test
  void notANumberIsNotInRange() {
    assertThat(HostOptions.parse(Map.of("startup_timeout_s", "NaN")).problems()).hasSize(1);
  }

  @Test
  void theRuntimeNeverSeesHostOptions() {
    EngineSpec spec =
        new EngineSpec(
            "m",
            null,
            EngineKind.LLM,
            "vllm",
            null,
            1,
            List.of(),
            true,
            null,
            List.of(),
            Map.of("restart_policy", "never", "gpu_memory_gb", "40"));

    EngineSpec forRuntime = HostOptions.forRuntime(spec);

    assertThat(forRuntime.options()).containsExactly(Map.entry("gpu_memory_gb", "40"));
    assertThat(forRuntime.model()).isEqualTo("m");
    assertThat(HostOptions.of(spec).restarts()).isEqualTo(HostOptions.Restarts.NEVER);
  }

  @Test
  void aSpecWithoutHostOptionsIsPassedAsItIs() {
    EngineSpec spec =
        new EngineSpec(
            "m",
            null,
            EngineKind.LLM,
            "mock",
            null,
            1,
            List.of(),
            false,
            null,
            List.of(),
            Map.of("a", "b"));
    assertThat(HostOptions.forRuntime(spec)).isSameAs(spec);
  }

  @Test
  void theEntryKeepsItsParsedOptions() {
    EngineRecord record =
        EngineRecord.starting(
            "eng-000000000001",
            new EngineSpec(
                "m",
                null,
                EngineKind.LLM,
                "mock",
                null,
                1,
                List.of(),
                false,
                null,
                List.of(),
                Map.of("health_failure_threshold", "2")),
            Placement.local("127.0.0.1", 41000, List.of(), 0),
            "k",
            java.time.Instant.EPOCH);
    assertThat(Records.entry(record).hostOptions().failureThreshold()).hasValue(2);
  }
}
