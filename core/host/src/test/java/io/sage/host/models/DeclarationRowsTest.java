package io.sage.host.models;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sage.host.store.ModelStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeclarationRowsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant NOW = Instant.parse("2026-03-04T05:06:07Z");

  private static ModelDeclaration rich(String name, Origin origin) {
    return new ModelDeclaration(
        name,
        "Qwen/Qwen2.5-7B",
        "mock",
        "embedding",
        List.of(name + "-alias"),
        Map.of("startup_delay_s", "3", "b", "x y"),
        List.of("--flag", "value with space"),
        2,
        0,
        4,
        Duration.ofSeconds(90),
        "big",
        7,
        3,
        origin);
  }

  private static ModelDeclaration plain(String name) {
    return new ModelDeclaration(
        name,
        "m",
        "mock",
        null,
        null,
        null,
        null,
        0,
        1,
        1,
        null,
        null,
        ModelDeclaration.DEFAULT_MAX_WAITING,
        ModelDeclaration.DEFAULT_TARGET_IN_FLIGHT,
        Origin.FILE);
  }

  @Test
  void writesGroupsThenModelsWithKindOriginAndTime() throws Exception {
    Declarations d =
        new Declarations(
            List.of(rich("a", Origin.API), plain("b")),
            List.of(new ModelGroup("big", 1, Origin.FILE)));
    List<ModelStore.Row> rows = DeclarationRows.rows(d, NOW);
    assertThat(rows)
        .extracting(ModelStore.Row::kind, ModelStore.Row::name, ModelStore.Row::origin)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("group", "big", "file"),
            org.assertj.core.groups.Tuple.tuple("model", "a", "api"),
            org.assertj.core.groups.Tuple.tuple("model", "b", "file"));
    assertThat(rows).allSatisfy(r -> assertThat(r.updatedAt()).isEqualTo(NOW));
    assertThat(rows.get(0).fields()).isEqualTo("{\"max_loaded\":1}");
    assertThat(JSON.readValue(rows.get(2).fields(), Map.class))
        .isEqualTo(
            Map.of(
                "model", "m",
                "runtime", "mock",
                "engine_kind", "llm",
                "replicas", Map.of("min", 1, "max", 1)));
  }

  @Test
  void whatIsWrittenReadsBackAsTheSameDeclarations() {
    Declarations d =
        new Declarations(
            List.of(rich("a", Origin.API), plain("b")),
            List.of(new ModelGroup("big", 2, Origin.API)));
    Declarations back = DeclarationRows.read(DeclarationRows.rows(d, NOW));
    assertThat(back).isEqualTo(d);
    assertThat(back.model("a").orElseThrow().revision())
        .isEqualTo(rich("a", Origin.API).revision());
  }

  @Test
  void nothingStoredIsNoDeclarations() {
    assertThat(DeclarationRows.read(List.of())).isEqualTo(Declarations.NONE);
    assertThat(DeclarationRows.rows(Declarations.NONE, NOW)).isEmpty();
  }

  @Test
  void aRowThatIsNotJsonIsLeftOutAndTheOthersStay() {
    List<ModelStore.Row> rows =
        List.of(
            new ModelStore.Row("model", "broken", "file", "{not json", NOW),
            DeclarationRows.rows(new Declarations(List.of(plain("ok")), List.of()), NOW).get(0));
    assertThat(DeclarationRows.read(rows).models())
        .extracting(ModelDeclaration::name)
        .containsExactly("ok");
  }

  @Test
  void aRowThatNoLongerParsesIsLeftOut() {
    List<ModelStore.Row> rows =
        List.of(
            new ModelStore.Row("model", "no-runtime", "api", "{\"model\":\"m\"}", NOW),
            new ModelStore.Row(
                "model", "bad name!", "api", "{\"model\":\"m\",\"runtime\":\"mock\"}", NOW),
            new ModelStore.Row("group", "g", "file", "{\"max_loaded\":\"many\"}", NOW),
            new ModelStore.Row(
                "model", "fine", "api", "{\"model\":\"m\",\"runtime\":\"mock\"}", NOW));
    Declarations read = DeclarationRows.read(rows);
    assertThat(read.models()).extracting(ModelDeclaration::name).containsExactly("fine");
    assertThat(read.model("fine").orElseThrow().origin()).isEqualTo(Origin.API);
    assertThat(read.groups()).isEmpty();
  }

  @Test
  void aRowWithAnUnknownOrMissingOriginKindOrNameIsLeftOutAndTheOthersStay() {
    String fields = "{\"model\":\"m\",\"runtime\":\"mock\"}";
    List<ModelStore.Row> rows =
        List.of(
            new ModelStore.Row("model", "robot-made", "robot", fields, NOW),
            new ModelStore.Row("model", "no-origin", null, fields, NOW),
            new ModelStore.Row("group", "g", "", "{\"max_loaded\":1}", NOW),
            new ModelStore.Row("widget", "odd", "api", fields, NOW),
            new ModelStore.Row(null, "no-kind", "api", fields, NOW),
            new ModelStore.Row("model", null, "api", fields, NOW),
            new ModelStore.Row("model", "no-fields", "api", null, NOW),
            new ModelStore.Row("model", "upper", "API", fields, NOW),
            new ModelStore.Row("model", "fine", "file", fields, NOW));
    Declarations read = DeclarationRows.read(rows);
    assertThat(read.models()).extracting(ModelDeclaration::name).containsExactly("upper", "fine");
    assertThat(read.model("upper").orElseThrow().origin()).isEqualTo(Origin.API);
    assertThat(read.model("fine").orElseThrow().origin()).isEqualTo(Origin.FILE);
    assertThat(read.groups()).isEmpty();
  }

  @Test
  void jsonWritesTheFieldsInTheirOrder() {
    Map<String, Object> fields = new java.util.LinkedHashMap<>();
    fields.put("z", 1);
    fields.put("a", List.of("x"));
    assertThat(DeclarationRows.json(fields)).isEqualTo("{\"z\":1,\"a\":[\"x\"]}");
  }
}
