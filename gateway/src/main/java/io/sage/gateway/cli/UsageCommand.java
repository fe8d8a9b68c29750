package io.sage.gateway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sage usage}: tokens and requests per key, model, hour or day (needs an admin key). */
@Command(
    name = "usage",
    mixinStandardHelpOptions = true,
    description = "Show usage (requests and tokens) from the gateway's roll-ups.",
    footer = {
      "",
      "Examples:",
      "  sage usage",
      "  sage usage --by key --since 7d",
      "  sage usage --by model --key key-1a2b3c4d5e6f --json"
    })
final class UsageCommand implements Callable<Integer> {
  @Mixin ClientOptions client;

  @Option(
      names = "--by",
      paramLabel = "WHAT",
      split = ",",
      description = "Group by key, model, hour or day (repeatable or comma separated).")
  List<String> by = new ArrayList<>();

  @Option(
      names = "--since",
      paramLabel = "WHEN",
      description = "Start: a time ago (24h, 7d, 30m) or an ISO-8601 instant (default 24h).")
  String since = "24h";

  @Option(names = "--until", paramLabel = "WHEN", description = "End (default now).")
  String until;

  @Option(names = "--key", paramLabel = "ID", description = "Only this key.")
  String key;

  @Option(names = "--model", paramLabel = "MODEL", description = "Only this model.")
  String model;

  @Override
  public Integer call() {
    StringBuilder path = new StringBuilder("/v1/management/usage?from=").append(encode(since));
    if (until != null) {
      path.append("&to=").append(encode(until));
    }
    if (key != null) {
      path.append("&key=").append(encode(key));
    }
    if (model != null) {
      path.append("&model=").append(encode(model));
    }
    if (!by.isEmpty()) {
      path.append("&group_by=").append(encode(String.join(",", by).toLowerCase(Locale.ROOT)));
    }
    JsonNode answer = client.call(() -> client.management().raw("GET", path.toString(), null));
    if (client.json()) {
      client.printJson(answer);
      return SageCli.OK;
    }
    List<String> columns = new ArrayList<>();
    answer.path("group_by").forEach(g -> columns.add(g.asText()));
    List<String> headers = new ArrayList<>();
    for (String column : columns) {
      headers.add(column.equals("key") ? "KEY" : column.toUpperCase(Locale.ROOT));
    }
    headers.addAll(List.of("REQUESTS", "ERRORS", "PROMPT", "COMPLETION", "TOTAL"));
    Table table = new Table(headers.toArray(String[]::new));
    for (JsonNode row : answer.path("data")) {
      List<String> cells = new ArrayList<>();
      for (String column : columns) {
        cells.add(row.path(column.equals("key") ? "key_id" : column).asText());
      }
      addSums(cells, row);
      table.row(cells.toArray(String[]::new));
    }
    if (!columns.isEmpty()) {
      List<String> cells = new ArrayList<>();
      cells.add("total");
      for (int i = 1; i < columns.size(); i++) {
        cells.add("");
      }
      addSums(cells, answer.path("totals"));
      table.row(cells.toArray(String[]::new));
    } else {
      List<String> cells = new ArrayList<>();
      addSums(cells, answer.path("totals"));
      table.row(cells.toArray(String[]::new));
    }
    List<String> lines = new ArrayList<>();
    lines.add("usage from " + answer.path("from").asText() + " to " + answer.path("to").asText());
    lines.addAll(table.render(client.ansi()));
    client.print(lines);
    return SageCli.OK;
  }

  private static void addSums(List<String> cells, JsonNode row) {
    cells.add(row.path("requests").asText());
    cells.add(row.path("errors").asText());
    cells.add(row.path("prompt_tokens").asText());
    cells.add(row.path("completion_tokens").asText());
    cells.add(row.path("total_tokens").asText());
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
