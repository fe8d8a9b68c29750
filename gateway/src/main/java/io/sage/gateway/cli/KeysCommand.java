package io.sage.gateway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sage keys create|list|revoke|limits|rotate-secret}: the gateway's API keys, their limits
 * and the key of its stored secrets (needs an admin key).
 */
@Command(
    name = "keys",
    mixinStandardHelpOptions = true,
    description =
        "Create, list and revoke API keys; set their limits; rotate the key of stored secrets.",
    subcommands = {
      KeysCommand.Create.class,
      KeysCommand.ListKeys.class,
      KeysCommand.Revoke.class,
      KeysCommand.Limits.class,
      KeysCommand.RotateSecret.class
    })
final class KeysCommand {
  private static final String PATH = "/v1/management/keys";

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = "Create a key; it is printed once and cannot be shown again.",
      footer = {
        "",
        "Examples:",
        "  sage keys create chat-app --scope inference --model demo-chat",
        "  sage keys create team-a --rpm 60 --tpm 100000 --budget 1000000/day",
        "  sage keys create ops --scope admin",
        "  sage keys create prometheus --scope metrics"
      })
  static final class Create implements Callable<Integer> {
    @Mixin ClientOptions client;

    @Parameters(index = "0", paramLabel = "NAME", description = "A label for the key.")
    String name;

    @Option(names = "--scope", description = "admin, inference or metrics (default inference).")
    String scope = "inference";

    @Option(
        names = "--model",
        paramLabel = "MODEL",
        description = "Limit an inference key to this model (repeatable; default: every model).")
    List<String> models = new ArrayList<>();

    @Mixin LimitOptions limits;

    @Override
    public Integer call() {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("name", name);
      body.put("scope", scope);
      if (!models.isEmpty()) {
        body.put("models", models);
      }
      limits.addTo(body);
      JsonNode created = client.call(() -> client.management().raw("POST", PATH, body));
      if (client.json()) {
        client.printJson(created);
      } else {
        client.print(
            List.of(
                "created "
                    + created.path("scope").asText()
                    + " key "
                    + created.path("id").asText()
                    + " ("
                    + created.path("name").asText()
                    + ")",
                "",
                "  " + created.path("key").asText(),
                "",
                "Store it now: the gateway keeps only its hash and cannot show it again."));
      }
      return SageCli.OK;
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List keys (never the keys themselves).",
      footer = {"", "Examples:", "  sage keys list", "  sage keys list --json"})
  static final class ListKeys implements Callable<Integer> {
    @Mixin ClientOptions client;

    @Override
    public Integer call() {
      JsonNode answer = client.call(() -> client.management().raw("GET", PATH, null));
      if (client.json()) {
        client.printJson(answer);
        return SageCli.OK;
      }
      Table table =
          new Table("ID", "NAME", "SCOPE", "MODELS", "LIMITS", "CREATED", "LAST USED", "STATUS");
      for (JsonNode key : answer.path("keys")) {
        List<String> models = new ArrayList<>();
        key.path("models").forEach(m -> models.add(m.asText()));
        table.row(
            key.path("id").asText(),
            key.path("name").asText(),
            key.path("scope").asText(),
            models.isEmpty() ? "all" : String.join(",", models),
            limitsText(key.path("limits")),
            key.path("created_at").asText(),
            key.path("last_used_at").isNull() ? "never" : key.path("last_used_at").asText(),
            key.path("active").asBoolean()
                ? "active"
                : "revoked " + key.path("revoked_at").asText());
      }
      client.print(table.render(client.ansi()));
      return SageCli.OK;
    }
  }

  @Command(
      name = "revoke",
      mixinStandardHelpOptions = true,
      description = "Revoke a key; requests with it are refused from now on.",
      footer = {"", "Examples:", "  sage keys revoke key-1a2b3c4d5e6f"})
  static final class Revoke implements Callable<Integer> {
    @Mixin ClientOptions client;

    @Parameters(index = "0", paramLabel = "ID", description = "The key's id (from sage keys list).")
    String id;

    @Override
    public Integer call() {
      String path = PATH + "/" + URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
      JsonNode revoked = client.call(() -> client.management().raw("DELETE", path, null));
      if (client.json()) {
        client.printJson(revoked);
      } else {
        client.print(
            List.of(
                "revoked key "
                    + revoked.path("id").asText()
                    + " ("
                    + revoked.path("name").asText()
                    + ")"));
      }
      return SageCli.OK;
    }
  }

  @Command(
      name = "rotate-secret",
      mixinStandardHelpOptions = true,
      description =
          "Replace the key that encrypts stored engine secrets (<data-dir>/secret.key) and"
              + " re-encrypt them all.",
      footer = {"", "Examples:", "  sage keys rotate-secret"})
  static final class RotateSecret implements Callable<Integer> {
    @Mixin ClientOptions client;

    @Override
    public Integer call() {
      JsonNode rotated =
          client.call(
              () -> client.management().raw("POST", "/v1/management/secrets/rotate", Map.of()));
      if (client.json()) {
        client.printJson(rotated);
      } else {
        client.print(
            List.of("stored secrets re-encrypted with new key " + rotated.path("key_id").asText()));
      }
      return SageCli.OK;
    }
  }

  /** {@code rpm 60, tpm 100000, budget 1000000/day}, or {@code none}. */
  static String limitsText(JsonNode limits) {
    List<String> parts = new ArrayList<>();
    if (!limits.path("rpm").isMissingNode() && !limits.path("rpm").isNull()) {
      parts.add("rpm " + limits.path("rpm").asText());
    }
    if (!limits.path("tpm").isMissingNode() && !limits.path("tpm").isNull()) {
      parts.add("tpm " + limits.path("tpm").asText());
    }
    if (!limits.path("budget").isMissingNode() && !limits.path("budget").isNull()) {
      parts.add("budget " + limits.path("budget").asText());
    }
    if (limits.path("weight").asInt(1) != 1) {
      parts.add("weight " + limits.path("weight").asText());
    }
    return parts.isEmpty() ? "none" : String.join(", ", parts);
  }

  /** The limit options of {@code create} and {@code limits}. */
  static final class LimitOptions {
    @Option(names = "--rpm", paramLabel = "N", description = "Requests per minute (default: none).")
    Integer rpm;

    @Option(
        names = "--tpm",
        paramLabel = "N",
        description = "Tokens (prompt + completion) per minute (default: none).")
    Integer tpm;

    @Option(
        names = "--budget",
        paramLabel = "TOKENS/PERIOD",
        description = "Token budget per UTC day or month, e.g. 1000000/day (default: none).")
    String budget;

    @Option(
        names = "--weight",
        paramLabel = "N",
        description = "Share of saturated engines relative to other keys, 1-100 (default 1).")
    Integer weight;

    void addTo(Map<String, Object> body) {
      if (rpm != null) {
        body.put("rpm", rpm);
      }
      if (tpm != null) {
        body.put("tpm", tpm);
      }
      if (budget != null) {
        body.put("budget", budget);
      }
      if (weight != null) {
        body.put("weight", weight);
      }
    }
  }

  @Command(
      name = "limits",
      mixinStandardHelpOptions = true,
      description = "Replace a key's limits (options left out: no such limit).",
      footer = {
        "",
        "Examples:",
        "  sage keys limits key-1a2b3c4d5e6f --rpm 120 --budget 5000000/month",
        "  sage keys limits key-1a2b3c4d5e6f          (removes every limit)"
      })
  static final class Limits implements Callable<Integer> {
    @Mixin ClientOptions client;

    @Mixin LimitOptions limits;

    @Parameters(index = "0", paramLabel = "ID", description = "The key's id (from sage keys list).")
    String id;

    @Override
    public Integer call() {
      Map<String, Object> body = new LinkedHashMap<>();
      limits.addTo(body);
      String path =
          PATH
              + "/"
              + URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20")
              + "/limits";
      JsonNode key = client.call(() -> client.management().raw("PUT", path, body));
      if (client.json()) {
        client.printJson(key);
      } else {
        client.print(
            List.of(
                "key " + key.path("id").asText() + " limits: " + limitsText(key.path("limits"))));
      }
      return SageCli.OK;
    }
  }
}
