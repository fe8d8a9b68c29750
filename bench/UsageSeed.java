import io.micronaut.context.ApplicationContext;
import io.sage.db.DatabaseVendor;
import io.sage.db.H2Urls;
import io.sage.db.usage.JdbcUsageStore;
import io.sage.host.usage.UsageQuery;
import io.sage.host.usage.UsageRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Seeds a gateway data dir with usage rows through the gateway's own store (the same batched
 * appends, rows and roll-ups in one transaction, that the usage writer makes), then times month
 * reads on the store directly. Run on the distribution's class path without the gateway jar:
 *
 * <pre>
 * java -cp "$(ls dist/target/sage/lib/*.jar | grep -v sage-gateway | paste -sd:)" \
 *   bench/UsageSeed.java DATA_DIR ROWS
 * </pre>
 *
 * Rows are spread evenly over the 30 days before now, over 20 keys and 5 models. Prints "seed
 * rows seconds rows_per_s" and one "read NAME ms" line per timed read (best of 5).
 */
public class UsageSeed {
  public static void main(String[] args) {
    Path dataDir = Path.of(args[0]);
    int rows = Integer.parseInt(args[1]);
    int batch = 5000;
    Map<String, Object> properties =
        Map.of(
            "datasources.default.url", H2Urls.fileUrl(dataDir),
            "datasources.default.driver-class-name", "org.h2.Driver",
            "datasources.default.username", "sa",
            "datasources.default.password", "",
            "datasources.default.dialect", "H2",
            "flyway.datasources.default.enabled", true,
            // the gateway's own folders (shared + H2's), or the data dir would not open later
            "flyway.datasources.default.locations", DatabaseVendor.H2.locations());
    try (ApplicationContext context =
        ApplicationContext.builder().deduceEnvironment(false).properties(properties).start()) {
      JdbcUsageStore store = context.getBean(JdbcUsageStore.class);
      Instant now = Instant.now();
      Instant start = now.minus(Duration.ofDays(30));
      long spanMillis = Duration.between(start, now).toMillis();
      Random random = new Random(42);
      long t0 = System.nanoTime();
      for (int done = 0; done < rows; done += batch) {
        List<UsageRecord> records = new ArrayList<>(batch);
        for (int i = done; i < Math.min(rows, done + batch); i++) {
          Instant at = start.plusMillis(spanMillis * i / rows);
          long prompt = 10 + random.nextInt(500);
          long completion = random.nextInt(300);
          records.add(
              new UsageRecord(
                  at,
                  "key-" + String.format("%012x", random.nextInt(20)),
                  "model-" + random.nextInt(5),
                  "engine-" + random.nextInt(4),
                  "/v1/chat/completions",
                  random.nextInt(100) == 0 ? 503 : 200,
                  prompt,
                  completion,
                  random.nextInt(200),
                  200 + random.nextInt(2000)));
        }
        store.append(records);
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      System.out.printf("seed %d %.1f %.0f%n", rows, seconds, rows / seconds);
      Instant from = now.minus(Duration.ofDays(30));
      read(store, "month-total", new UsageQuery(from, now, null, null, List.of()));
      read(store, "month-by-key", new UsageQuery(from, now, null, null, List.of(UsageQuery.Dimension.KEY)));
      read(
          store,
          "month-by-key-model",
          new UsageQuery(
              from, now, null, null, List.of(UsageQuery.Dimension.KEY, UsageQuery.Dimension.MODEL)));
      read(store, "month-by-day", new UsageQuery(from, now, null, null, List.of(UsageQuery.Dimension.DAY)));
      read(
          store,
          "month-one-key-by-hour",
          new UsageQuery(
              from,
              now,
              "key-" + String.format("%012x", 3),
              null,
              List.of(UsageQuery.Dimension.HOUR)));
    }
  }

  private static void read(JdbcUsageStore store, String name, UsageQuery query) {
    double best = Double.MAX_VALUE;
    int size = 0;
    for (int i = 0; i < 5; i++) {
      long t0 = System.nanoTime();
      size = store.query(query).size();
      best = Math.min(best, (System.nanoTime() - t0) / 1e6);
    }
    System.out.printf("read %s %.1f (%d rows)%n", name, best, size);
  }
}
