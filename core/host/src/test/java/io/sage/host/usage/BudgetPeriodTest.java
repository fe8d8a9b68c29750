package io.sage.host.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class BudgetPeriodTest {
  @Test
  void wireNamesAreLowerCase() {
    assertThat(BudgetPeriod.DAY.wireName()).isEqualTo("day");
    assertThat(BudgetPeriod.MONTH.wireName()).isEqualTo("month");
  }

  @Test
  void parseIgnoresCaseAndSurroundingBlanks() {
    assertThat(BudgetPeriod.parse("day")).isEqualTo(BudgetPeriod.DAY);
    assertThat(BudgetPeriod.parse("  Month ")).isEqualTo(BudgetPeriod.MONTH);
    assertThat(BudgetPeriod.parse("DAY")).isEqualTo(BudgetPeriod.DAY);
  }

  @Test
  void parseRefusesAnythingElseNamingWhatItGot() {
    assertThatThrownBy(() -> BudgetPeriod.parse("week"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("budget period must be 'day' or 'month', got 'week'");
    assertThatThrownBy(() -> BudgetPeriod.parse(""))
        .hasMessage("budget period must be 'day' or 'month', got ''");
    assertThatThrownBy(() -> BudgetPeriod.parse(null))
        .hasMessage("budget period must be 'day' or 'month', got 'null'");
    assertThatThrownBy(() -> BudgetPeriod.parse("days"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aDayStartsAtUtcMidnightAndEndsAtTheNext() {
    Instant at = Instant.parse("2026-03-15T17:42:11Z");
    assertThat(BudgetPeriod.DAY.start(at)).isEqualTo(Instant.parse("2026-03-15T00:00:00Z"));
    assertThat(BudgetPeriod.DAY.end(at)).isEqualTo(Instant.parse("2026-03-16T00:00:00Z"));
  }

  @Test
  void midnightItselfBelongsToTheDayItStarts() {
    Instant midnight = Instant.parse("2026-03-15T00:00:00Z");
    assertThat(BudgetPeriod.DAY.start(midnight)).isEqualTo(midnight);
    assertThat(BudgetPeriod.DAY.end(midnight)).isEqualTo(Instant.parse("2026-03-16T00:00:00Z"));
    Instant lastNano = Instant.parse("2026-03-15T23:59:59.999999999Z");
    assertThat(BudgetPeriod.DAY.start(lastNano)).isEqualTo(midnight);
  }

  @Test
  void aMonthStartsOnTheFirstAndEndsOnTheFirstOfTheNext() {
    Instant at = Instant.parse("2026-03-15T17:42:11Z");
    assertThat(BudgetPeriod.MONTH.start(at)).isEqualTo(Instant.parse("2026-03-01T00:00:00Z"));
    assertThat(BudgetPeriod.MONTH.end(at)).isEqualTo(Instant.parse("2026-04-01T00:00:00Z"));
  }

  @Test
  void monthsHaveTheirOwnLengthsIncludingLeapFebruary() {
    Instant feb2028 = Instant.parse("2028-02-29T12:00:00Z");
    assertThat(BudgetPeriod.MONTH.start(feb2028)).isEqualTo(Instant.parse("2028-02-01T00:00:00Z"));
    assertThat(BudgetPeriod.MONTH.end(feb2028)).isEqualTo(Instant.parse("2028-03-01T00:00:00Z"));
    Instant feb2027 = Instant.parse("2027-02-10T00:00:00Z");
    assertThat(BudgetPeriod.MONTH.end(feb2027)).isEqualTo(Instant.parse("2027-03-01T00:00:00Z"));
  }

  @Test
  void decemberRollsOverIntoTheNextYear() {
    Instant at = Instant.parse("2026-12-31T23:59:59Z");
    assertThat(BudgetPeriod.MONTH.start(at)).isEqualTo(Instant.parse("2026-12-01T00:00:00Z"));
    assertThat(BudgetPeriod.MONTH.end(at)).isEqualTo(Instant.parse("2027-01-01T00:00:00Z"));
    assertThat(BudgetPeriod.DAY.end(at)).isEqualTo(Instant.parse("2027-01-01T00:00:00Z"));
  }

  @Test
  void periodsFollowUtcNotTheLocalZone() {
    // 23:30 UTC is already the next day east of UTC; the budget still counts the UTC day
    Instant at = Instant.parse("2026-06-30T23:30:00Z");
    assertThat(BudgetPeriod.DAY.start(at)).isEqualTo(Instant.parse("2026-06-30T00:00:00Z"));
    assertThat(BudgetPeriod.MONTH.start(at)).isEqualTo(Instant.parse("2026-06-01T00:00:00Z"));
  }

  @Test
  void theEndOfOnePeriodIsTheStartOfTheNext() {
    Instant at = Instant.parse("2026-01-31T10:00:00Z");
    for (BudgetPeriod period : BudgetPeriod.values()) {
      Instant end = period.end(at);
      assertThat(period.start(end)).isEqualTo(end);
      assertThat(end).isAfter(at);
      assertThat(period.start(at)).isBeforeOrEqualTo(at);
    }
  }
}
