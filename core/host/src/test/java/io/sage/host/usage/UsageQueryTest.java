package io.sage.host.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sage.host.usage.UsageQuery.Dimension;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class UsageQueryTest {
  private static final Instant T0 = Instant.parse("2026-05-01T00:00:00Z");
  private static final long H0 = T0.getEpochSecond() / 3600;

  @Test
  void fromMustBeBeforeTo() {
    assertThatThrownBy(() -> new UsageQuery(T0, T0, null, null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("from must be before to");
    assertThatThrownBy(() -> new UsageQuery(T0.plusSeconds(1), T0, null, null, null))
        .hasMessage("from must be before to");
  }

  @Test
  void bothEndsAreRequired() {
    assertThatThrownBy(() -> new UsageQuery(null, T0, null, null, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("from");
    assertThatThrownBy(() -> new UsageQuery(T0, null, null, null, null)).hasMessage("to");
  }

  @Test
  void noGroupingIsAnEmptyListAndTheListIsCopied() {
    assertThat(new UsageQuery(T0, T0.plusSeconds(1), null, null, null).groupBy()).isEmpty();
    List<Dimension> mine = new ArrayList<>(List.of(Dimension.KEY));
    UsageQuery query = new UsageQuery(T0, T0.plusSeconds(1), "k", "m", mine);
    mine.add(Dimension.MODEL);
    assertThat(query.groupBy()).containsExactly(Dimension.KEY);
    assertThatThrownBy(() -> query.groupBy().add(Dimension.DAY))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void hourAndDayCannotBeCombined() {
    assertThatThrownBy(
            () ->
                new UsageQuery(
                    T0, T0.plusSeconds(60), null, null, List.of(Dimension.HOUR, Dimension.DAY)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("group by hour or by day, not both");
    assertThat(
            new UsageQuery(
                    T0,
                    T0.plusSeconds(60),
                    null,
                    null,
                    List.of(Dimension.KEY, Dimension.MODEL, Dimension.DAY))
                .groupBy())
        .hasSize(3);
  }

  @Test
  void wholeHoursReadExactlyThoseHours() {
    UsageQuery query = new UsageQuery(T0, T0.plusSeconds(3 * 3600), null, null, null);
    assertThat(query.firstHour()).isEqualTo(H0);
    assertThat(query.endHour()).isEqualTo(H0 + 3);
  }

  @Test
  void partlyCoveredHoursAtBothEndsAreRead() {
    UsageQuery query =
        new UsageQuery(T0.plusSeconds(1800), T0.plusSeconds(2 * 3600 + 1), null, null, null);
    assertThat(query.firstHour()).isEqualTo(H0);
    assertThat(query.endHour()).isEqualTo(H0 + 3);
  }

  @Test
  void aRangeWithinOneHourReadsThatHour() {
    UsageQuery query = new UsageQuery(T0.plusSeconds(10), T0.plusSeconds(20), null, null, null);
    assertThat(query.endHour() - query.firstHour()).isEqualTo(1);
  }

  @Test
  void hoursBeforeTheEpochRoundDown() {
    Instant before = Instant.ofEpochSecond(-1);
    UsageQuery query = new UsageQuery(before, Instant.ofEpochSecond(1), null, null, null);
    assertThat(query.firstHour()).isEqualTo(-1);
    assertThat(query.endHour()).isEqualTo(1);
  }
}
