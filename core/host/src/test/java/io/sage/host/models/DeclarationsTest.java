package io.sage.host.models;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeclarationsTest {

  private static ModelDeclaration model(
      String name, List<String> aliases, String group, String runtime, Origin origin) {
    return new ModelDeclaration(
        name,
        "org/" + name,
        runtime,
        "llm",
        aliases,
        Map.of(),
        List.of(),
        0,
        0,
        1,
        Duration.ofMinutes(5),
        group,
        256,
        16,
        origin);
  }

  private static ModelDeclaration model(String name, Origin origin) {
    return model(name, List.of(), null, "mock", origin);
  }

  @Test
  void aConsistentSetHasNoProblems() {
    Declarations d =
        new Declarations(
            List.of(
                model("a", List.of("x"), "g", "mock", Origin.FILE),
                model("b", List.of("y"), "g", "mock", Origin.FILE)),
            List.of(new ModelGroup("g", 1, Origin.FILE)));
    assertThat(d.problems(null)).isEmpty();
    assertThat(d.problems(List.of("mock"))).isEmpty();
  }

  @Test
  void anAliasThatIsAnotherModelsNameIsAProblem() {
    Declarations d =
        new Declarations(
            List.of(
                model("a", List.of("b"), null, "mock", Origin.FILE),
                model("b", List.of(), null, "mock", Origin.FILE)),
            List.of());
    assertThat(d.problems(null))
        .containsExactly("models.a.aliases: 'b' already names model 'b'; an alias names one model");
  }

  @Test
  void anAliasTwoModelsClaimIsReportedOnTheSecond() {
    Declarations d =
        new Declarations(
            List.of(
                model("a", List.of("gpt"), null, "mock", Origin.FILE),
                model("b", List.of("gpt"), null, "mock", Origin.FILE)),
            List.of());
    assertThat(d.problems(null))
        .containsExactly(
            "models.b.aliases: 'gpt' already names model 'a'; an alias names one model");
  }

  @Test
  void theSetCheckLeavesAnAliasEqualToTheOwnNameToTheParser() {
    Declarations d =
        new Declarations(List.of(model("a", List.of("a"), null, "mock", Origin.FILE)), List.of());
    assertThat(d.problems(null)).isEmpty();
  }

  @Test
  void anUndeclaredGroupIsAProblem() {
    Declarations d =
        new Declarations(List.of(model("a", List.of(), "big", "mock", Origin.FILE)), List.of());
    assertThat(d.problems(null))
        .containsExactly("models.a.group: group 'big' is not declared under groups:");
  }

  @Test
  void anUnknownRuntimeIsAProblemOnlyWhenTheRuntimesAreGiven() {
    Declarations d =
        new Declarations(List.of(model("a", List.of(), null, "vllm", Origin.FILE)), List.of());
    assertThat(d.problems(null)).isEmpty();
    assertThat(d.problems(List.of("mock", "llamacpp")))
        .containsExactly("models.a.runtime: unknown runtime 'vllm' (loaded: mock, llamacpp)");
  }

  @Test
  void parseAddsTheSetsProblemsToTheFieldProblems() {
    List<String> problems = new ArrayList<>();
    Declarations.parse(
        Map.of("a", Map.of("model", "m", "runtime", "mock", "on_demand", true, "group", "nope")),
        null,
        Origin.FILE,
        problems);
    assertThat(problems)
        .containsExactly("models.a.group: group 'nope' is not declared under groups:");
  }

  @Test
  void resolveFindsByNameOrAliasAndNothingElse() {
    ModelDeclaration a = model("a", List.of("alpha"), null, "mock", Origin.FILE);
    Declarations d = new Declarations(List.of(a), List.of());
    assertThat(d.resolve("a")).contains(a);
    assertThat(d.resolve("alpha")).contains(a);
    assertThat(d.resolve("org/a")).isEmpty();
    assertThat(d.model("alpha")).isEmpty();
    assertThat(Declarations.NONE.resolve("a")).isEmpty();
  }

  @Test
  void withReplacesTheModelOfTheSameNameAndWithoutRemovesIt() {
    Declarations d =
        new Declarations(List.of(model("a", Origin.API), model("b", Origin.API)), List.of());
    ModelDeclaration a2 = model("a", List.of("new"), null, "mock", Origin.API);
    Declarations replaced = d.with(a2);
    assertThat(replaced.models()).extracting(ModelDeclaration::name).containsExactly("b", "a");
    assertThat(replaced.model("a")).contains(a2);
    assertThat(replaced.without("b").models()).containsExactly(a2);
    assertThat(replaced.without("missing")).isEqualTo(replaced);
    assertThat(d.models()).hasSize(2);
  }

  @Test
  void theFileReplacesSameNamedModelsAndDropsFileModelsItNoLongerNames() {
    Declarations stored =
        new Declarations(
            List.of(
                model("api-only", Origin.API),
                model("shared", Origin.API),
                model("old-file", Origin.FILE)),
            List.of(
                new ModelGroup("api-group", 1, Origin.API), new ModelGroup("old", 1, Origin.FILE)));
    ModelDeclaration shared = model("shared", List.of("s"), null, "mock", Origin.FILE);
    Declarations file =
        new Declarations(
            List.of(shared, model("new-file", Origin.FILE)),
            List.of(new ModelGroup("file-group", 2, Origin.FILE)));
    Declarations merged = stored.withFile(file);
    assertThat(merged.models())
        .extracting(ModelDeclaration::name)
        .containsExactly("api-only", "shared", "new-file");
    assertThat(merged.model("shared")).contains(shared);
    assertThat(merged.groups())
        .extracting(ModelGroup::name)
        .containsExactly("api-group", "file-group");
  }

  @Test
  void anEmptyFileLeavesOnlyTheApiDeclarations() {
    Declarations stored =
        new Declarations(List.of(model("a", Origin.API), model("f", Origin.FILE)), List.of());
    assertThat(stored.withFile(Declarations.NONE).models())
        .extracting(ModelDeclaration::name)
        .containsExactly("a");
  }

  @Test
  void theListsAreCopies() {
    List<ModelDeclaration> models = new ArrayList<>(List.of(model("a", Origin.FILE)));
    Declarations d = new Declarations(models, List.of());
    models.clear();
    assertThat(d.models()).hasSize(1);
  }
}
