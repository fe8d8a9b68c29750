package io.sage.host.models;

import static io.sage.host.models.ModelFixtures.model;
import static io.sage.host.models.ModelFixtures.withIdle;
import static io.sage.host.models.ModelFixtures.withOptions;
import static io.sage.host.models.ModelFixtures.withTarget;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sage.host.management.StartRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelDeclarationTest {

  private static ModelDeclaration full(
      List<String> aliases, Map<String, String> options, List<String> args, int gpu) {
    return new ModelDeclaration(
        "qwen",
        "Qwen/Qwen2.5-7B",
        "vllm",
        "embedding",
        aliases,
        options,
        args,
        gpu,
        1,
        3,
        Duration.ofMinutes(10),
        "big",
        8,
        4,
        Origin.API);
  }

  @Test
  void requiresNameModelRuntimeAndOriginNamingTheMissingOne() {
    assertThatThrownBy(
            () ->
                new ModelDeclaration(
                    null,
                    "m",
                    "mock",
                    null,
                    null,
                    null,
                    null,
                    0,
                    0,
                    1,
                    null,
                    null,
                    1,
                    1,
                    Origin.FILE))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("name");
    assertThatThrownBy(
            () ->
                new ModelDeclaration(
                    "n",
                    null,
                    "mock",
                    null,
                    null,
                    null,
                    null,
                    0,
                    0,
                    1,
                    null,
                    null,
                    1,
                    1,
                    Origin.FILE))
        .hasMessage("model");
    assertThatThrownBy(
            () ->
                new ModelDeclaration(
                    "n", "m", null, null, null, null, null, 0, 0, 1, null, null, 1, 1, Origin.FILE))
        .hasMessage("runtime");
    assertThatThrownBy(
            () ->
                new ModelDeclaration(
                    "n", "m", "mock", null, null, null, null, 0, 0, 1, null, null, 1, 1, null))
        .hasMessage("origin");
  }

  @Test
  void defaultsTheKindAndEmptyCollectionsAndCopiesWhatItIsGiven() {
    List<String> aliases = new ArrayList<>(List.of("a"));
    Map<String, String> options = new HashMap<>(Map.of("k", "v"));
    ModelDeclaration d =
        new ModelDeclaration(
            "n", "m", "mock", null, aliases, options, null, 0, 0, 1, null, null, 1, 1, Origin.FILE);
    aliases.add("b");
    options.put("k2", "v2");
    assertThat(d.engineKind()).isEqualTo("llm");
    assertThat(d.aliases()).containsExactly("a");
    assertThat(d.options()).containsOnlyKeys("k");
    assertThat(d.extraArgs()).isEmpty();
    ModelDeclaration nulls =
        new ModelDeclaration(
            "n", "m", "mock", null, null, null, null, 0, 0, 1, null, null, 1, 1, Origin.FILE);
    assertThat(nulls.aliases()).isEmpty();
    assertThat(nulls.options()).isEmpty();
  }

  @Test
  void onDemandMeansNoMinimumReplicas() {
    assertThat(model("a", 0, 2).onDemand()).isTrue();
    assertThat(model("a", 1, 2).onDemand()).isFalse();
  }

  @Test
  void answersToItsNameAndAliasesOnly() {
    ModelDeclaration d = full(List.of("gpt-4o", "q"), Map.of(), List.of(), 0);
    assertThat(d.answersTo("qwen")).isTrue();
    assertThat(d.answersTo("gpt-4o")).isTrue();
    assertThat(d.answersTo("q")).isTrue();
    assertThat(d.answersTo("Qwen/Qwen2.5-7B")).isFalse();
    assertThat(d.answersTo("QWEN")).isFalse();
  }

  @Test
  void theRevisionIsEightHexDigitsAndFollowsWhatIsLaunched() {
    ModelDeclaration base = model("qwen", 1, 1);
    assertThat(base.revision()).matches("[0-9a-f]{8}");
    assertThat(model("qwen", 1, 1).revision()).isEqualTo(base.revision());
    assertThat(withOptions(base, Map.of("a", "1")).revision()).isNotEqualTo(base.revision());
    assertThat(full(List.of(), Map.of(), List.of("--x"), 0).revision())
        .isNotEqualTo(full(List.of(), Map.of(), List.of(), 0).revision());
    assertThat(full(List.of(), Map.of(), List.of(), 1).revision())
        .isNotEqualTo(full(List.of(), Map.of(), List.of(), 0).revision());
  }

  @Test
  void theRevisionIgnoresWhatDoesNotChangeTheEngine() {
    ModelDeclaration base = model("qwen", 1, 1);
    assertThat(model("qwen", 0, 5).revision()).isEqualTo(base.revision());
    assertThat(withTarget(base, 3).revision()).isEqualTo(base.revision());
    assertThat(withIdle(base, Duration.ofMinutes(1)).revision()).isEqualTo(base.revision());
    assertThat(full(List.of("x"), Map.of(), List.of(), 0).revision())
        .isEqualTo(full(List.of(), Map.of(), List.of(), 0).revision());
  }

  @Test
  void theRevisionDoesNotDependOnTheOrderOfOptions() {
    Map<String, String> ab = new LinkedHashMap<>();
    ab.put("a", "1");
    ab.put("b", "2");
    Map<String, String> ba = new LinkedHashMap<>();
    ba.put("b", "2");
    ba.put("a", "1");
    ModelDeclaration base = model("qwen", 1, 1);
    assertThat(withOptions(base, ab).revision()).isEqualTo(withOptions(base, ba).revision());
  }

  @Test
  void theLabelRoundTripsThroughParseLabel() {
    ModelDeclaration d = model("org/qwen:7b", 1, 1);
    assertThat(d.label()).isEqualTo("declared model org/qwen:7b rev " + d.revision());
    assertThat(ModelDeclaration.parseLabel(d.label()).orElseThrow())
        .containsExactly("org/qwen:7b", d.revision());
  }

  @Test
  void parseLabelRefusesAnythingElse() {
    assertThat(ModelDeclaration.parseLabel(null)).isEmpty();
    assertThat(ModelDeclaration.parseLabel("")).isEmpty();
    assertThat(ModelDeclaration.parseLabel("declared model qwen rev 1234567")).isEmpty();
    assertThat(ModelDeclaration.parseLabel("declared model qwen rev 1234567G")).isEmpty();
    assertThat(ModelDeclaration.parseLabel("declared model qwen rev ABCDEF12")).isEmpty();
    assertThat(ModelDeclaration.parseLabel("declared model my qwen rev 12345678")).isEmpty();
    assertThat(ModelDeclaration.parseLabel("x declared model qwen rev 12345678")).isEmpty();
  }

  @Test
  void theStartRequestCarriesTheLabelServedNameAndGpus() {
    ModelDeclaration d = full(List.of(), Map.of("k", "v"), List.of("--x"), 2);
    StartRequest r = d.startRequest();
    assertThat(r.model()).isEqualTo("Qwen/Qwen2.5-7B");
    assertThat(r.engineKind()).isEqualTo("embedding");
    assertThat(r.runtime()).isEqualTo("vllm");
    assertThat(r.servedModelName()).isEqualTo("qwen");
    assertThat(r.label()).isEqualTo(d.label());
    assertThat(r.tensorParallelSize()).isEqualTo(2);
    assertThat(r.useGpu()).isTrue();
    assertThat(r.extraArgs()).containsExactly("--x");
    assertThat(r.options()).containsEntry("k", "v");
    assertThat(r.port()).isNull();
    assertThat(r.gpuIds()).isNull();
  }

  @Test
  void aCpuModelAsksForNoGpu() {
    StartRequest r = model("a", 1, 1).startRequest();
    assertThat(r.tensorParallelSize()).isNull();
    assertThat(r.useGpu()).isFalse();
  }

  @Test
  void fieldsWriteOnlyWhatDiffersFromTheDefaults() {
    assertThat(model("a", 0, 2).fields())
        .containsExactly(
            Map.entry("model", "org/a"),
            Map.entry("runtime", "mock"),
            Map.entry("engine_kind", "llm"),
            Map.entry("replicas", Map.of("min", 0, "max", 2)));
  }

  @Test
  void fieldsWriteEverySetPart() {
    Map<String, String> options = new LinkedHashMap<>();
    options.put("b", "2");
    options.put("a", "1");
    Map<String, Object> f = full(List.of("q"), options, List.of("--x"), 1).fields();
    assertThat(f)
        .containsEntry("aliases", List.of("q"))
        .containsEntry("extra_args", List.of("--x"))
        .containsEntry("gpu", 1)
        .containsEntry("idle_timeout", "10m")
        .containsEntry("group", "big")
        .containsEntry("max_waiting", 8)
        .containsEntry("target_in_flight", 4)
        .containsEntry("engine_kind", "embedding");
    List<Object> keys = new ArrayList<>(((Map<?, ?>) f.get("options")).keySet());
    assertThat(keys).containsExactly("b", "a");
  }

  @Test
  void fieldsComeInOneOrderTheFilesWithTheOptionsAsDeclared() {
    Map<String, String> options = new LinkedHashMap<>();
    for (String name : List.of("zeta", "alpha", "mid", "beta", "omega", "gamma", "delta")) {
      options.put(name, name.substring(0, 1));
    }
    ModelDeclaration d = full(List.of("q"), options, List.of("--x"), 1);
    String expected =
        "{\"model\":\"Qwen/Qwen2.5-7B\",\"runtime\":\"vllm\",\"engine_kind\":\"embedding\","
            + "\"aliases\":[\"q\"],\"options\":{\"zeta\":\"z\",\"alpha\":\"a\",\"mid\":\"m\","
            + "\"beta\":\"b\",\"omega\":\"o\",\"gamma\":\"g\",\"delta\":\"d\"},"
            + "\"extra_args\":[\"--x\"],\"gpu\":1,\"replicas\":{\"min\":1,\"max\":3},"
            + "\"idle_timeout\":\"10m\",\"group\":\"big\",\"max_waiting\":8,\"target_in_flight\":4}";
    assertThat(DeclarationRows.json(d.fields())).isEqualTo(expected);
    // the same declaration, copied, and its options map, keep that order
    assertThat(DeclarationRows.json(withTarget(d, 4).fields())).isEqualTo(expected);
    assertThat(d.options().keySet())
        .containsExactly("zeta", "alpha", "mid", "beta", "omega", "gamma", "delta");
    assertThatThrownBy(() -> d.options().put("x", "y"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void theRevisionDoesNotDependOnTheOrderOfTheOptions() {
    Map<String, String> ab = new LinkedHashMap<>();
    ab.put("a", "1");
    ab.put("b", "2");
    Map<String, String> ba = new LinkedHashMap<>();
    ba.put("b", "2");
    ba.put("a", "1");
    assertThat(full(List.of(), ab, List.of(), 0).revision())
        .isEqualTo(full(List.of(), ba, List.of(), 0).revision());
  }
}
