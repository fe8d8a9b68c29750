package io.sage.host.management;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SpecValidatorTest {
  private final SpecValidator v = new SpecValidator();

  /** The message of the 400 the validator throws, or null when it throws nothing. */
  private String message() {
    try {
      v.throwIfInvalid();
      return null;
    } catch (SageException e) {
      assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
      return e.getMessage();
    }
  }

  @Test
  void nothingWrongThrowsNothing() {
    v.modelName("model", "meta-llama/Llama-3.1-8B-Instruct", true);
    v.modelName("served_model_name", "org/m:v1@rev+x_y.z", true);
    v.label("my label");
    v.options(Map.of("max_model_len", "4096", "gpu.memory-util", "0.9"));
    v.extraArgs(List.of("--enforce-eager", "--seed=1"));
    v.check(true, "never shown");
    assertThatCode(v::throwIfInvalid).doesNotThrowAnyException();
  }

  @Test
  void aRequiredNameMustBeThereAndAnOptionalOneMayBeMissing() {
    v.modelName("served_model_name", null, false);
    v.modelName("tokenizer", "", false);
    assertThat(message()).isNull();
    v.modelName("model", null, true);
    v.modelName("other", "", true);
    assertThat(message()).isEqualTo("invalid engine request: model is required; other is required");
  }

  @Test
  void aNameThatLooksLikeAFlagIsRefused() {
    v.modelName("model", "--trust-remote-code", true);
    assertThat(message()).isEqualTo("invalid engine request: model must not start with '-'");
  }

  @Test
  void aNameWithOtherCharactersIsRefusedShowingItPrintably() {
    v.modelName("model", "bad name\n", true);
    assertThat(message())
        .isEqualTo(
            "invalid engine request: model must be 1-256 characters of letters, digits and"
                + " ._/:@+- (got 'bad name?')");
  }

  @Test
  void namesAreAtMost256CharactersAndLongOnesAreCutInTheMessage() {
    v.modelName("model", "a".repeat(256), true);
    assertThat(message()).isNull();
    v.modelName("model", "b".repeat(257), true);
    assertThat(message())
        .contains("(got '" + "b".repeat(64) + "…')")
        .doesNotContain("b".repeat(65));
  }

  @Test
  void labelsAreAtMost128PrintableCharacters() {
    v.label(null);
    v.label("x".repeat(128));
    v.label("ünïcode labels are fine");
    assertThat(message()).isNull();
    v.label("x".repeat(129));
    v.label("tab\there");
    assertThat(message())
        .isEqualTo(
            "invalid engine request: label must be at most 128 printable characters; label must"
                + " be at most 128 printable characters");
  }

  @Test
  void optionNamesAreLowerCaseStartingWithALetter() {
    Map<String, String> options = new LinkedHashMap<>();
    options.put("Upper", "1");
    options.put("1digit", "1");
    options.put("semi;colon", "1");
    options.put("a".repeat(65), "1");
    options.put("a".repeat(64), "1");
    v.options(options);
    String message = message();
    assertThat(message)
        .contains("option name 'Upper' must be lower case letters, digits and _.-")
        .contains("option name '1digit'")
        .contains("option name 'semi;colon'")
        .contains("option name '" + "a".repeat(64) + "…'");
    assertThat(message.split("; ")).hasSize(4);
  }

  @Test
  void optionValuesArePrintableAndAtMost4096Characters() {
    Map<String, String> options = new LinkedHashMap<>();
    options.put("fine", "v".repeat(4096));
    options.put("long", "v".repeat(4097));
    options.put("control", "a\u0000b");
    options.put("missing", null);
    v.options(options);
    assertThat(message())
        .isEqualTo(
            "invalid engine request: option long must be a printable value of at most 4096"
                + " characters; option control must be a printable value of at most 4096"
                + " characters; option missing must be a printable value of at most 4096"
                + " characters");
  }

  @Test
  void atMost64OptionsAreAllowed() {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i < 64; i++) {
      options.put("o" + i, "v");
    }
    v.options(options);
    v.options(null);
    assertThat(message()).isNull();
    options.put("o64", "v");
    v.options(options);
    assertThat(message()).isEqualTo("invalid engine request: options may hold at most 64 entries");
  }

  @Test
  void extraArgsAreLimitedInNumberAndLength() {
    List<String> args = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      args.add("--a" + i);
    }
    v.extraArgs(args);
    v.extraArgs(null);
    v.extraArgs(List.of("x".repeat(1024)));
    assertThat(message()).isNull();
    args.add("--one-too-many");
    v.extraArgs(args);
    assertThat(message())
        .isEqualTo("invalid engine request: extra_args may hold at most 64 entries");
  }

  @Test
  void everyBadExtraArgIsCounted() {
    v.extraArgs(Arrays.asList("x".repeat(1025), null, "line\nbreak", "ok"));
    String entry = "extra_args entries must be printable strings of at most 1024 characters";
    assertThat(message())
        .isEqualTo("invalid engine request: " + String.join("; ", entry, entry, entry));
  }

  @Test
  void checksAndAddedProblemsJoinTheOthersInOrder() {
    v.check(false, "first");
    v.modelName("model", null, true);
    v.addAll(List.of("runtime says no", "and no again"));
    v.check(true, "not this one");
    assertThat(message())
        .isEqualTo(
            "invalid engine request: first; model is required; runtime says no; and no again");
  }

  @Test
  void controlCharactersAreFound() {
    assertThat(SpecValidator.hasControl("plain text")).isFalse();
    assertThat(SpecValidator.hasControl("")).isFalse();
    assertThat(SpecValidator.hasControl("a\rb")).isTrue();
    assertThat(SpecValidator.hasControl("\u007f")).isTrue();
    assertThat(SpecValidator.hasControl("\u0085")).isTrue();
  }

  @Test
  void theThrownExceptionIsABadRequest() {
    v.check(false, "x");
    assertThatThrownBy(v::throwIfInvalid)
        .isInstanceOfSatisfying(
            SageException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST))
        .hasMessage("invalid engine request: x");
  }
}
