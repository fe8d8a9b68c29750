package io.sage.gateway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code sage nodes}: the gateways sharing this gateway's database. */
@Command(
    name = "nodes",
    mixinStandardHelpOptions = true,
    description = {
      "List the gateways (nodes) that share this gateway's database: address, version, GPUs,",
      "last heartbeat, whether each is up or lost (silent longer than node.lost-after), and",
      "which one leads the cluster, with its fencing token.",
      "A gateway on the embedded H2 database lists only itself."
    },
    footer = {
      "",
      "Examples:",
      "  sage nodes",
      "  sage nodes --gateway http://gpu-host-2:8000",
      "  sage nodes --json | jq -r '.nodes[] | select(.state == \"lost\") | .id'"
    })
final class NodesCommand implements Callable<Integer> {
  @Mixin ClientOptions client;

  @Override
  public Integer call() {
    JsonNode answer = client.call(() -> client.management().nodes());
    if (client.json()) {
      client.printJson(answer);
    } else {
      client.print(table(answer, client.ansi()));
    }
    return SageCli.OK;
  }

  static List<String> table(JsonNode answer, Ansi ansi) {
    Table table = new Table("ID", "ADDRESS", "VERSION", "STATE", "GPUS", "LAST SEEN");
    for (JsonNode node : answer.path("nodes")) {
      List<String> gpus = new ArrayList<>();
      for (JsonNode gpu : node.path("gpus")) {
        gpus.add(gpu.path("index").asText() + ":" + gpu.path("name").asText());
      }
      String state = node.path("state").asText();
      table.row(
          node.path("id").asText()
              + (node.path("self").asBoolean() ? " (this)" : "")
              + (node.path("leader").asBoolean() ? " (leader)" : ""),
          node.path("address").asText(),
          node.path("version").asText(),
          "up".equals(state) ? ansi.green(state) : ansi.red(state),
          gpus.isEmpty() ? "none" : String.join(", ", gpus),
          node.path("seconds_since_seen").asLong() + "s ago");
    }
    List<String> lines = new ArrayList<>(table.render(ansi));
    JsonNode leader = answer.path("leader");
    lines.add(
        leader.isTextual()
            ? "leader: " + leader.asText() + ", token " + answer.path("leader_token").asLong()
            : "leader: none (the lease is free; a node takes it within seconds)");
    return lines;
  }
}
