package io.sage.gateway.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sage.host.usage.UsageQuery;
import io.sage.spi.SageException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class UsageParamsTest {
  private static final Instant NOW = Instant.parse("2026-05-10T12:00:00Z");

  @Test
  void timesAreInstantsOrTimesAgoAndGroupsAList() {
    UsageQuery q = UsageParams.parse(NOW, "key-1", null, "7d", null, "key, model,day");
    assertThat(q.from()).isEqualTo(Instant.parse("2026-05-03T12:00:00Z"));
    assertThat(q.to()).isEqualTo(NOW);
    assertThat(q.groupBy())
        .containsExactly(
            UsageQuery.Dimension.KEY, UsageQuery.Dimension.MODEL, UsageQuery.Dimension.DAY);
    UsageQuery d = UsageParams.parse(NOW, null, "m", null, "2026-05-10T11:00:00Z", null);
    assertThat(d.from()).isEqualTo(Instant.parse("2026-05-09T12:00:00Z"));
    assertThat(d.groupBy()).isEmpty();
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    assertThatThrownBy(() -> UsageParams.parse(NOW, "", null, "yesterday", "1h", "colour,hour,day"))
        .isInstanceOf(SageException.class)
        .hasMessageContaining("from must be an ISO-8601")
        .hasMessageContaining("'colour'")
        .hasMessageContaining("hour or day")
        .hasMessageContaining("key must be");
    assertThatThrownBy(() -> UsageParams.parse(NOW, null, null, "1h", "2h", null))
        .hasMessageContaining("from must be before to");
    assertThat(List.of(UsageQuery.Dimension.values())).hasSize(4);
  }
}
