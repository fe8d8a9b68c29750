package io.sage.gateway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.sage.client.management.EngineEvent;
import io.sage.client.management.EngineInfo;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Human views of engines, their events and the GPUs: what the CLI prints without {@code --json}.
 */
final class EngineFormat {
  private EngineFormat() {}

  static List<String> list(List<EngineInfo> engines, Ansi ansi, Instant now) {
    if (engines.isEmpty()) {
      return List.of("no engines; start one with `sage llm engine start <model>`");
    }
    // the engines of several nodes (docs/cluster.md): say which node runs each
    boolean nodes = engines.stream().map(EngineInfo::nodeId).distinct().count() > 1;
    List<String> headers =
        new ArrayList<>(
            List.of(
                "ID",
                "MODEL",
                "KIND",
                "RUNTIME",
                "STATE",
                "SINCE",
                "PORT",
                "GPUS",
                "REQS",
                "RESTARTS",
                "LABEL"));
    if (nodes) {
      headers.add(1, "NODE");
    }
    Table table = new Table(headers.toArray(String[]::new));
    for (EngineInfo e : engines) {
      List<String> row = new ArrayList<>();
      row.add(e.id());
      if (nodes) {
        row.add(e.nodeId());
      }
      row.add(e.model());
      row.add(e.engineKind());
      row.add(e.runtime());
      row.add(ansi.state(e.state().name()));
      row.add(ago(e.stateSince(), now));
      row.add(e.port() == null ? null : e.port().toString());
      row.add(gpus(e.gpuIds()));
      row.add(Integer.toString(e.activeRequests()));
      row.add(Integer.toString(e.restartCount()));
      row.add(e.label());
      table.row(row.toArray(String[]::new));
    }
    return table.render(ansi);
  }

  /** One engine, one field a line, for {@code show} and the end of {@code start}. */
  static List<String> details(EngineInfo e, Ansi ansi, Instant now) {
    List<String[]> fields = new ArrayList<>();
    fields.add(new String[] {"id", e.id()});
    fields.add(new String[] {"model", e.model()});
    if (e.nodeId() != null) {
      fields.add(new String[] {"node", e.nodeId()});
    }
    if (e.servedModelName() != null && !e.servedModelName().equals(e.model())) {
      fields.add(new String[] {"served as", e.servedModelName()});
    }
    fields.add(new String[] {"kind", e.engineKind()});
    fields.add(new String[] {"runtime", e.runtime()});
    String since = e.stateSince() == null ? "" : " (since " + ago(e.stateSince(), now) + ")";
    fields.add(new String[] {"state", ansi.state(e.state().name()) + since});
    fields.add(new String[] {"desired", e.desiredState()});
    fields.add(new String[] {"url", e.baseUrl()});
    fields.add(new String[] {"pid", e.pid() == null ? null : e.pid().toString()});
    fields.add(new String[] {"gpus", gpus(e.gpuIds())});
    fields.add(
        new String[] {
          "tensor par.", e.tensorParallelSize() == null ? null : e.tensorParallelSize().toString()
        });
    fields.add(new String[] {"label", e.label()});
    fields.add(new String[] {"options", options(e.options())});
    fields.add(new String[] {"requests", e.activeRequests() + " in flight"});
    fields.add(new String[] {"restarts", Integer.toString(e.restartCount())});
    fields.add(new String[] {"health fails", Integer.toString(e.consecutiveFailures())});
    fields.add(new String[] {"created", time(e.createdAt())});
    if (e.lastError() != null && !e.lastError().isBlank()) {
      fields.add(new String[] {"last error", ansi.red(e.lastError())});
    }
    int width = fields.stream().mapToInt(f -> f[0].length()).max().orElse(0);
    List<String> lines = new ArrayList<>();
    for (String[] field : fields) {
      String value = field[1] == null || field[1].isBlank() ? "-" : field[1];
      lines.add(field[0] + ":" + " ".repeat(width - field[0].length() + 1) + value);
    }
    return lines;
  }

  static List<String> events(String id, List<EngineEvent> events, Ansi ansi) {
    if (events.isEmpty()) {
      return List.of("no events for engine " + id);
    }
    Table table = new Table("AT", "FROM", "TO", "REASON");
    for (EngineEvent event : events) {
      table.row(
          time(event.at()),
          event.from() == null ? "(new)" : ansi.state(event.from().name()),
          ansi.state(event.to().name()),
          event.reason());
    }
    return table.render(ansi);
  }

  static List<String> gpus(JsonNode answer, Ansi ansi) {
    List<String> lines = new ArrayList<>();
    String status = answer.path("status").asText("");
    lines.add(
        "provider: "
            + answer.path("provider").asText("none")
            + (status.isBlank() ? "" : " (" + status + ")"));
    JsonNode gpus = answer.path("gpus");
    if (!gpus.isArray() || gpus.isEmpty()) {
      lines.add("no GPUs");
      return lines;
    }
    Table table =
        new Table(
            "GPU",
            "NAME",
            "MEMORY USED/TOTAL",
            "FREE",
            "RESERVED",
            "UTIL",
            "TEMP",
            "POWER",
            "ENGINES");
    for (JsonNode gpu : gpus) {
      List<String> engines = new ArrayList<>();
      gpu.path("engine_ids").forEach(id -> engines.add(id.asText()));
      table.row(
          gpu.path("index").asText(),
          gpu.path("name").asText(),
          mib(gpu.path("memory_used_mib")) + " / " + mib(gpu.path("memory_total_mib")),
          mib(gpu.path("memory_free_mib")),
          mib(gpu.path("memory_reserved_mib")),
          unit(gpu.path("utilization_pct"), "%"),
          unit(gpu.path("temperature_c"), " C"),
          unit(gpu.path("power_w"), " W"),
          String.join(",", engines));
    }
    lines.addAll(table.render(ansi));
    return lines;
  }

  static String ago(Instant since, Instant now) {
    if (since == null) {
      return null;
    }
    long seconds = Math.max(0, Duration.between(since, now).getSeconds());
    if (seconds < 120) {
      return seconds + "s";
    }
    if (seconds < 7200) {
      return seconds / 60 + "m";
    }
    if (seconds < 172800) {
      return seconds / 3600 + "h";
    }
    return seconds / 86400 + "d";
  }

  /** Elapsed time on the progress line: 4.2s, then 1m05s. */
  static String elapsed(Duration elapsed) {
    long millis = elapsed.toMillis();
    if (millis < 60_000) {
      return String.format(java.util.Locale.ROOT, "%.1fs", millis / 1000.0);
    }
    return String.format(java.util.Locale.ROOT, "%dm%02ds", millis / 60_000, (millis / 1000) % 60);
  }

  private static String time(Instant at) {
    return at == null ? null : at.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  private static String gpus(List<Integer> ids) {
    return ids.isEmpty()
        ? null
        : ids.stream().map(String::valueOf).collect(Collectors.joining(","));
  }

  private static String options(Map<String, Object> options) {
    return options.isEmpty()
        ? null
        : options.entrySet().stream()
            .sorted(Map.Entry.comparingByKey())
            .map(o -> o.getKey() + "=" + o.getValue())
            .collect(Collectors.joining(" "));
  }

  private static String mib(JsonNode value) {
    return value.isNumber() ? value.asLong() + " MiB" : "-";
  }

  private static String unit(JsonNode value, String unit) {
    if (!value.isNumber()) {
      return "-";
    }
    double number = value.asDouble();
    return (number == Math.rint(number)
            ? Long.toString((long) number)
            : String.format(java.util.Locale.ROOT, "%.1f", number))
        + unit;
  }
}
