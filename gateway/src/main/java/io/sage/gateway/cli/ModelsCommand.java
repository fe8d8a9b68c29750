package io.sage.gateway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code sage models ...}: declared models (docs/models.md). */
@Command(
    name = "models",
    mixinStandardHelpOptions = true,
    description = "Declared models: list them, plan or apply the config file's models: section.",
    subcommands = {
      ModelsCommand.ListModels.class,
      ModelsCommand.Plan.class,
      ModelsCommand.Apply.class
    },
    footer = {"", "Examples:", "  sage models list", "  sage models plan", "  sage models apply"})
final class ModelsCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new CliException(SageCli.USAGE, "choose a subcommand: list, plan or apply");
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List the declared models with their state (running, loading, idle).",
      footer = {
        "",
        "Examples:",
        "  sage models list",
        "  sage models list --json | jq '.models[] | {name, state}'"
      })
  static final class ListModels implements Callable<Integer> {
    @Mixin ClientOptions client;

    @Override
    public Integer call() {
      JsonNode answer =
          client.call(() -> client.management().raw("GET", "/v1/management/models", null));
      if (client.json()) {
        client.printJson(answer);
        return SageCli.OK;
      }
      Table table =
          new Table("NAME", "STATE", "READY", "REPLICAS", "RUNTIME", "ALIASES", "ORIGIN", "IDLE");
      for (JsonNode m : answer.path("models")) {
        JsonNode d = m.path("declaration");
        List<String> aliases = new ArrayList<>();
        d.path("aliases").forEach(a -> aliases.add(a.asText()));
        table.row(
            m.path("name").asText(),
            m.path("state").asText(),
            m.path("ready_engines").asText(),
            d.path("replicas").path("min").asText()
                + ".."
                + d.path("replicas").path("max").asText(),
            d.path("runtime").asText(),
            String.join(",", aliases),
            m.path("origin").asText(),
            d.path("idle_timeout").asText(""));
      }
      if (table.isEmpty()) {
        client.print(List.of("no declared models (see docs/models.md)"));
      } else {
        client.print(table.render(client.ansi()));
      }
      return SageCli.OK;
    }
  }

  @Command(
      name = "plan",
      mixinStandardHelpOptions = true,
      description =
          "Show what applying the config file would start, stop or replace, and why; changes"
              + " nothing.",
      footer = {
        "",
        "Without FILE the gateway plans its own config file as it is on disk; with FILE, the plan",
        "is for that file as if it replaced the config file (check an edit before putting it in",
        "place: the gateway applies the config file as soon as it changes).",
        "",
        "Examples:",
        "  sage models plan",
        "  sage models plan /srv/sage/sage.yml.new",
        "  sage models plan --json"
      })
  static final class Plan implements Callable<Integer> {
    @Mixin ClientOptions client;

    @picocli.CommandLine.Parameters(
        arity = "0..1",
        paramLabel = "FILE",
        description = "a config file to plan instead of the gateway's own")
    java.nio.file.Path file;

    @Override
    public Integer call() {
      if (file == null) {
        return show(client, "true", null);
      }
      String text;
      try {
        text = java.nio.file.Files.readString(file);
      } catch (java.io.IOException e) {
        throw new CliException(SageCli.USAGE, "cannot read " + file + ": " + e.getMessage());
      }
      return show(client, "true", text);
    }
  }

  @Command(
      name = "apply",
      mixinStandardHelpOptions = true,
      description =
          "Apply the config file's declarations now (the gateway also applies them when the file"
              + " changes).",
      footer = {"", "Examples:", "  sage models apply"})
  static final class Apply implements Callable<Integer> {
    @Mixin ClientOptions client;

    @Override
    public Integer call() {
      return show(client, "false", null);
    }
  }

  private static Integer show(ClientOptions client, String dryRun, String fileText) {
    JsonNode answer =
        client.call(
            () ->
                fileText == null
                    ? client
                        .management()
                        .raw("POST", "/v1/management/models/apply?dry_run=" + dryRun, null)
                    : client
                        .transport()
                        .json(
                            "POST",
                            "/v1/management/models/apply?dry_run=" + dryRun,
                            java.util.Map.of("file", fileText)));
    if (client.json()) {
      client.printJson(answer);
      return SageCli.OK;
    }
    List<String> lines = new ArrayList<>();
    for (JsonNode action : answer.path("actions")) {
      lines.add(
          action.path("action").asText()
              + " "
              + action.path("model").asText()
              + (action.has("engine_id") ? " (" + action.path("engine_id").asText() + ")" : "")
              + ": "
              + action.path("reason").asText());
    }
    if (lines.isEmpty()) {
      lines.add("no changes: the engines match the declarations");
    } else if (dryRun.equals("true")) {
      lines.add("(plan only: nothing was changed; `sage models apply` makes these changes)");
    }
    client.print(lines);
    return SageCli.OK;
  }
}
