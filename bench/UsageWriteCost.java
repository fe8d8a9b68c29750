import com.sun.management.OperatingSystemMXBean;
import io.micronaut.context.ApplicationContext;
import io.sage.db.DatabaseVendor;
import io.sage.db.H2Urls;
import io.sage.db.usage.JdbcUsageStore;
import io.sage.host.usage.UsageRecord;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * CPU time the usage writer spends per recorded request, measured in-process so that the figure
 * does not depend on how busy the machine is: the gateway's own store ({@link JdbcUsageStore}, the
 * same transaction, roll-ups and durable commit the usage writer makes) appends batches of rows
 * shaped like the benchmark's (one key, one model, one engine), and the thread's CPU time
 * ({@link ThreadMXBean}) and the whole process's (H2's background threads included) are divided
 * by the rows written. Run on the distribution's class path without the gateway jar:
 *
 * <pre>
 * java -cp "$(ls dist/target/sage/lib/*.jar | grep -v sage-gateway | paste -sd:)" \
 *   bench/UsageWriteCost.java DATA_DIR [ROWS [BATCH]]
 * </pre>
 *
 * ROWS defaults to 200,000 (after 40,000 untimed to warm up), BATCH to 240 (what 200 ms of 1,200
 * requests/s leave). Prints "writer_cpu_us_per_row X process_cpu_us_per_row Y rows N batch B".
 */
public class UsageWriteCost {
  public static void main(String[] args) {
    Path dataDir = Path.of(args[0]);
    int rows = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
    int batch = args.length > 2 ? Integer.parseInt(args[2]) : 240;
    Map<String, Object> properties =
        Map.of(
            "datasources.default.url", H2Urls.fileUrl(dataDir),
            "datasources.default.driver-class-name", "org.h2.Driver",
            "datasources.default.username", "sa",
            "datasources.default.password", "",
            "datasources.default.dialect", "H2",
            "flyway.datasources.default.enabled", true,
            "flyway.datasources.default.locations", DatabaseVendor.H2.locations());
    try (ApplicationContext context =
        ApplicationContext.builder().deduceEnvironment(false).properties(properties).start()) {
      JdbcUsageStore store = context.getBean(JdbcUsageStore.class);
      write(store, rows / 5, batch);
      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      OperatingSystemMXBean os =
          (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
      long thread0 = threads.getCurrentThreadCpuTime();
      long process0 = os.getProcessCpuTime();
      write(store, rows, batch);
      long thread = threads.getCurrentThreadCpuTime() - thread0;
      long process = os.getProcessCpuTime() - process0;
      System.out.printf(
          "writer_cpu_us_per_row %.2f process_cpu_us_per_row %.2f rows %d batch %d%n",
          thread / 1e3 / rows, process / 1e3 / rows, rows, batch);
    }
  }

  private static void write(JdbcUsageStore store, int rows, int batch) {
    long t = System.currentTimeMillis();
    for (int done = 0; done < rows; done += batch) {
      List<UsageRecord> records = new ArrayList<>(batch);
      for (int i = done; i < Math.min(rows, done + batch); i++) {
        records.add(
            new UsageRecord(
                Instant.ofEpochMilli(t + i / 2),
                "key-0123456789ab",
                "bench",
                "eng-0123456789ab",
                "/v1/chat/completions",
                200,
                2 + i % 7,
                16,
                i % 5,
                3 + i % 11));
      }
      store.append(records);
    }
  }
}
