package io.sage.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sage.spi.SageException;
import org.junit.jupiter.api.Test;

class SessionTitlesTest {

  @Test
  void titlesFromOneTo200CharactersAreKeptStripped() {
    assertThat(SessionTitles.validate(" a ")).isEqualTo("a");
    assertThat(SessionTitles.validate("x".repeat(200))).hasSize(200);
  }

  @Test
  void blankMissingOrLongTitlesAreRefused() {
    for (String bad : new String[] {null, "", "   ", "x".repeat(201)}) {
      assertThatThrownBy(() -> SessionTitles.validate(bad))
          .isInstanceOf(SageException.class)
          .satisfies(e -> assertThat(((SageException) e).param()).isEqualTo("title"));
    }
  }

  @Test
  void aDerivedTitleIsTheMessageCollapsedAndCutAtAWord() {
    assertThat(SessionTitles.derive("  What is\n\tthe capital of France?  "))
        .isEqualTo("What is the capital of France?");
    String derived = SessionTitles.derive("word ".repeat(40));
    assertThat(derived).endsWith("\u2026").hasSizeLessThanOrEqualTo(SessionTitles.DERIVED_LENGTH);
    assertThat(derived).doesNotContain("wor\u2026");
    assertThat(SessionTitles.derive("   ")).isNull();
    assertThat(SessionTitles.derive(null)).isNull();
  }
}
