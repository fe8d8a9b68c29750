package io.sage.host.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class KeyLimitsTest {
  @Test
  void noneHasNoLimitsAndWeightOne() {
    KeyLimits none = KeyLimits.none("k1");
    assertThat(none.keyId()).isEqualTo("k1");
    assertThat(none.weight()).isEqualTo(1);
    assertThat(none.hasRateLimit()).isFalse();
    assertThat(none.hasBudget()).isFalse();
    assertThat(none.budgetText()).isNull();
  }

  @Test
  void eitherRpmOrTpmIsARateLimit() {
    assertThat(new KeyLimits("k", 10, null, null, null, 1).hasRateLimit()).isTrue();
    assertThat(new KeyLimits("k", null, 1000L, null, null, 1).hasRateLimit()).isTrue();
    assertThat(new KeyLimits("k", null, null, 5L, BudgetPeriod.DAY, 1).hasRateLimit()).isFalse();
  }

  @Test
  void theBudgetIsWrittenAsTheCliTakesIt() {
    KeyLimits daily = new KeyLimits("k", null, null, 1_000_000L, BudgetPeriod.DAY, 1);
    assertThat(daily.hasBudget()).isTrue();
    assertThat(daily.budgetText()).isEqualTo("1000000/day");
    assertThat(new KeyLimits("k", null, null, 5L, BudgetPeriod.MONTH, 1).budgetText())
        .isEqualTo("5/month");
  }

  @Test
  void theSmallestValidValuesAreAccepted() {
    KeyLimits limits = new KeyLimits("k", 1, 1L, 1L, BudgetPeriod.DAY, 1);
    assertThat(limits.rpm()).isEqualTo(1);
    assertThat(new KeyLimits("k", null, null, null, null, KeyLimits.MAX_WEIGHT).weight())
        .isEqualTo(100);
  }

  @Test
  void eachProblemIsNamed() {
    assertThat(KeyLimits.problems(0, null, null, null, 1))
        .containsExactly("rpm must be at least 1");
    assertThat(KeyLimits.problems(null, 0L, null, null, 1))
        .containsExactly("tpm must be at least 1");
    assertThat(KeyLimits.problems(null, null, 0L, BudgetPeriod.DAY, 1))
        .containsExactly("budget tokens must be at least 1");
    assertThat(KeyLimits.problems(null, null, null, null, 0))
        .containsExactly("weight must be within 1..100");
    assertThat(KeyLimits.problems(null, null, null, null, 101))
        .containsExactly("weight must be within 1..100");
    assertThat(KeyLimits.problems(null, null, null, null, 1)).isEmpty();
  }

  @Test
  void aBudgetNeedsBothTokensAndAPeriod() {
    String both = "a budget needs both tokens and a period (day or month)";
    assertThat(KeyLimits.problems(null, null, 10L, null, 1)).containsExactly(both);
    assertThat(KeyLimits.problems(null, null, null, BudgetPeriod.MONTH, 1)).containsExactly(both);
  }

  @Test
  void everyProblemIsCollectedAndTheConstructorRefusesWithAllOfThem() {
    assertThat(KeyLimits.problems(-1, -5L, -1L, null, 500)).hasSize(5);
    assertThatThrownBy(() -> new KeyLimits("k", 0, 0L, null, null, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("rpm must be at least 1; tpm must be at least 1");
  }

  @Test
  void aKeyIdIsRequired() {
    assertThatThrownBy(() -> KeyLimits.none(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("keyId");
  }
}
