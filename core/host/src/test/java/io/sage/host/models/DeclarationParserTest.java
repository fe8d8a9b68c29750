package io.sage.host.models;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeclarationParserTest {

  private static Declarations parse(Object models, Object groups, List<String> problems) {
    return Declarations.parse(models, groups, Origin.FILE, problems);
  }

  @Test
  void readsAFullDeclaration() {
    List<String> problems = new ArrayList<>();
    Declarations d =
        parse(
            Map.of(
                "qwen",
                Map.of(
                    "model", "Qwen/Qwen2.5-7B",
                    "runtime", "mock",
                    "aliases", List.of("gpt-4o", "q"),
                    "options", Map.of("startup_delay_s", 3),
                    "replicas", Map.of("min", 0, "max", 3),
                    "idle_timeout", "10m",
                    "group", "big")),
            Map.of("big", Map.of("max_loaded", 1)),
            problems);
    assertThat(problems).isEmpty();
    ModelDeclaration qwen = d.model("qwen").orElseThrow();
    assertThat(qwen.onDemand()).isTrue();
    assertThat(qwen.maxReplicas()).isEqualTo(3);
    assertThat(qwen.idleTimeout()).isEqualTo(Duration.ofMinutes(10));
    assertThat(qwen.options()).containsEntry("startup_delay_s", "3");
    assertThat(qwen.maxWaiting()).isEqualTo(256);
    assertThat(qwen.targetInFlight()).isEqualTo(16);
    assertThat(d.resolve("gpt-4o")).contains(qwen);
    assertThat(d.group("big").orElseThrow().maxLoaded()).isEqualTo(1);
    assertThat(qwen.startRequest().servedModelName()).isEqualTo("qwen");
    assertThat(ModelDeclaration.parseLabel(qwen.label()).orElseThrow())
        .containsExactly("qwen", qwen.revision());
  }

  @Test
  void aPlainReplicaNumberMeansMinEqualsMaxAndOnDemandMeansMinZero() {
    List<String> problems = new ArrayList<>();
    Declarations d =
        parse(
            Map.of(
                "a", Map.of("model", "m", "runtime", "mock", "replicas", 2),
                "b", Map.of("model", "m", "runtime", "mock", "on_demand", true)),
            null,
            problems);
    assertThat(problems).isEmpty();
    assertThat(d.model("a").orElseThrow().minReplicas()).isEqualTo(2);
    assertThat(d.model("a").orElseThrow().maxReplicas()).isEqualTo(2);
    assertThat(d.model("b").orElseThrow().minReplicas()).isZero();
  }

  @Test
  void everyProblemNamesItsField() {
    List<String> problems = new ArrayList<>();
    parse(
        Map.of(
            "a",
            Map.of(
                "model", "m",
                "runtime", "mock",
                "colour", "red",
                "idle_timeout", "soon",
                "replicas", Map.of("min", 3, "max", 1)),
            "b",
            Map.of(
                "model", "m",
                "runtime", "mock",
                "aliases", List.of("x"),
                "group", "nope",
                "on_demand", true),
            "c",
            Map.of("model", "m", "runtime", "mock", "aliases", List.of("x", "b"))),
        null,
        problems);
    assertThat(problems)
        .contains(
            "models.a.colour: unknown key (known: aliases, engine_kind, extra_args, gpu, group,"
                + " idle_timeout, max_waiting, model, on_demand, options, replicas, runtime,"
                + " target_in_flight)")
        .contains(
            "models.a.idle_timeout: 'soon' is not a duration (a positive number with ms, s, m,"
                + " h or d: 10m)")
        .contains("models.a.replicas: min 3 is greater than max 1")
        .contains("models.b.group: group 'nope' is not declared under groups:")
        .anyMatch(p -> p.startsWith("models.") && p.contains("'x' already names model"))
        .anyMatch(p -> p.startsWith("models.c.aliases: 'b' already names model 'b'"));
  }

  @Test
  void anUnknownRuntimeIsAProblemOnceTheRuntimesAreKnown() {
    List<String> problems = new ArrayList<>();
    Declarations d = parse(Map.of("a", Map.of("model", "m", "runtime", "warp")), null, problems);
    assertThat(problems).isEmpty();
    assertThat(d.problems(List.of("mock", "vllm")))
        .containsExactly("models.a.runtime: unknown runtime 'warp' (loaded: mock, vllm)");
  }

  @Test
  void theFileWinsForTheModelsItNames() {
    ModelDeclaration api =
        DeclarationParser.model(
                "a", Map.of("model", "api-model", "runtime", "mock"), Origin.API, "", List.of())
            .orElseThrow();
    ModelDeclaration other =
        DeclarationParser.model(
                "b", Map.of("model", "m", "runtime", "mock"), Origin.API, "", List.of())
            .orElseThrow();
    List<String> problems = new ArrayList<>();
    Declarations file =
        parse(Map.of("a", Map.of("model", "file-model", "runtime", "mock")), null, problems);
    Declarations merged = new Declarations(List.of(api, other), List.of()).withFile(file);
    assertThat(merged.model("a").orElseThrow().model()).isEqualTo("file-model");
    assertThat(merged.model("a").orElseThrow().origin()).isEqualTo(Origin.FILE);
    assertThat(merged.model("b")).contains(other);
    // a file model the file no longer names is gone
    assertThat(merged.withFile(Declarations.NONE).model("a")).isEmpty();
  }

  @Test
  void durationsReadAndWriteTheFileSpelling() {
    assertThat(Durations.parse("10m")).contains(Duration.ofMinutes(10));
    assertThat(Durations.parse("500ms")).contains(Duration.ofMillis(500));
    assertThat(Durations.parse("10 minutes")).isEmpty();
    assertThat(Durations.format(Duration.ofMinutes(10))).isEqualTo("10m");
    assertThat(Durations.format(Duration.ofSeconds(90))).isEqualTo("90s");
  }
}
