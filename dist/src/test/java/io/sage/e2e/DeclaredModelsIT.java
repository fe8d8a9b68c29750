package io.sage.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Declared models through the real gateway and real mock engines: a config file applied at start,
 * aliases, a plan that changes nothing, a bad file refused with nothing touched, the file edited
 * while the gateway runs, API declarations, and engines started by hand left alone.
 */
class DeclaredModelsIT {
  private static final Duration WAIT = Duration.ofSeconds(90);

  static final String TWO_MODELS =
      "models:\n"
          + "  alpha:\n"
          + "    model: alpha-weights\n"
          + "    runtime: mock\n"
          + "    aliases: [gpt-4o, a]\n"
          + "  beta:\n"
          + "    model: beta-weights\n"
          + "    runtime: mock\n";

  static String chat(String model) {
    return "{\"model\":\""
        + model
        + "\",\"max_tokens\":3,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  }

  static JsonNode model(Gateway gateway, String name) {
    for (JsonNode m : gateway.get("/v1/management/models").json().path("models")) {
      if (m.path("name").asText().equals(name)) {
        return m;
      }
    }
    return null;
  }

  static JsonNode awaitModel(Gateway gateway, String name, String state) {
    try {
      return Await.until(
          "model " + name + " " + state,
          WAIT,
          () -> model(gateway, name),
          m -> m != null && state.equals(m.path("state").asText()));
    } catch (AssertionError e) {
      StringBuilder events = new StringBuilder();
      for (JsonNode engine : gateway.get("/v1/management/engines").json().path("engines")) {
        String id = engine.path("id").asText();
        events.append("\n").append(id).append(": ");
        events.append(gateway.get("/v1/management/engines/" + id + "/events").body());
      }
      throw new AssertionError(e.getMessage() + events, e);
    }
  }

  /** Ids of the engines of a declared model that are READY. */
  static List<String> readyEngines(Gateway gateway, String model) {
    List<String> ids = new ArrayList<>();
    for (JsonNode e : gateway.get("/v1/management/engines").json().path("engines")) {
      if (model.equals(e.path("served_model_name").asText())
          && "READY".equals(e.path("state").asText())) {
        ids.add(e.path("id").asText());
      }
    }
    return ids;
  }

  static List<String> liveEngines(Gateway gateway, String model) {
    List<String> ids = new ArrayList<>();
    for (JsonNode e : gateway.get("/v1/management/engines").json().path("engines")) {
      String state = e.path("state").asText();
      if (model.equals(e.path("served_model_name").asText())
          && (state.equals("READY") || state.equals("STARTING"))) {
        ids.add(e.path("id").asText());
      }
    }
    return ids;
  }

  @Test
  void aFileWithTwoModelsAndAnAliasIsServedAndEditedWhileRunning(@TempDir Path dataDir)
      throws IOException {
    Files.writeString(dataDir.resolve("sage.yml"), TWO_MODELS);
    try (Gateway gateway = Gateway.start(dataDir)) {
      String byHand = gateway.startEngine("{\"model\":\"own\",\"runtime\":\"mock\"}");
      awaitModel(gateway, "alpha", "running");
      awaitModel(gateway, "beta", "running");
      gateway.awaitState(byHand, "READY", WAIT);

      // the alias routes like the name; the engine serves the declared name
      Http.Response viaAlias = gateway.post("/v1/chat/completions", chat("gpt-4o"));
      assertThat(viaAlias.status()).as(viaAlias.body()).isEqualTo(200);
      assertThat(viaAlias.json().path("model").asText()).isEqualTo("alpha");
      assertThat(gateway.post("/v1/chat/completions", chat("beta")).status()).isEqualTo(200);
      JsonNode listed = gateway.get("/v1/models").json();
      JsonNode alpha = null;
      for (JsonNode m : listed.path("data")) {
        if (m.path("id").asText().equals("alpha")) {
          alpha = m;
        }
      }
      assertThat(alpha).as(listed.toString()).isNotNull();
      assertThat(alpha.path("state").asText()).isEqualTo("running");
      assertThat(alpha.path("aliases").toString()).isEqualTo("[\"gpt-4o\",\"a\"]");
      Http.Response unknown = gateway.post("/v1/chat/completions", chat("nobody"));
      assertThat(unknown.status()).isEqualTo(404);
      assertThat(unknown.json().path("error").path("code").asText()).isEqualTo("model_not_found");
      String alphaEngine = readyEngines(gateway, "alpha").get(0);
      String betaEngine = readyEngines(gateway, "beta").get(0);

      // a plan for a changed file says what and why, and changes nothing
      Path changed = dataDir.resolve("next.yml");
      Files.writeString(
          changed,
          TWO_MODELS.replace(
                  "    aliases: [gpt-4o, a]\n",
                  "    aliases: [gpt-4o, a]\n    options: {latency_ms: 1}\n")
              + "  gamma:\n    model: gamma-weights\n    runtime: mock\n");
      Sage.Result plan =
          Sage.run(
              Map.of(), "models", "plan", changed.toString(), "--data-dir", dataDir.toString());
      assertThat(plan.exitCode()).as(plan.all()).isZero();
      assertThat(plan.stdout())
          .contains("replace alpha (" + alphaEngine + "): declaration changed (revision ")
          .contains("start gamma: below min replicas (0 of 1 running)")
          .contains("nothing was changed")
          .doesNotContain("beta");
      assertThat(model(gateway, "gamma")).isNull();
      assertThat(readyEngines(gateway, "alpha")).containsExactly(alphaEngine);

      // a bad file is refused whole, naming the field; nothing running changes
      String bad =
          TWO_MODELS
              + "  gamma:\n    model: g\n    runtime: warp\n"
              + "  delta:\n    model: d\n    runtime: mock\n    on_demand: true\n"
              + "    idle_timeout: 10 minutes\n";
      Files.writeString(dataDir.resolve("sage.yml"), bad);
      Await.until(
          "the refusal in the log",
          WAIT,
          () -> gateway.log().contains("delta.idle_timeout: '10 minutes' is not a duration"));
      Sage.Result refusedPlan =
          Sage.run(Map.of(), "models", "plan", "--data-dir", dataDir.toString());
      assertThat(refusedPlan.exitCode()).isNotZero();
      assertThat(refusedPlan.all()).contains("models.delta.idle_timeout");
      Files.writeString(
          dataDir.resolve("sage.yml"), TWO_MODELS + "  gamma:\n    model: g\n    runtime: warp\n");
      Await.until(
          "the unknown runtime in the log",
          WAIT,
          () -> gateway.log().contains("models.gamma.runtime: unknown runtime 'warp'"));
      assertThat(model(gateway, "gamma")).isNull();
      assertThat(readyEngines(gateway, "alpha")).containsExactly(alphaEngine);
      assertThat(readyEngines(gateway, "beta")).containsExactly(betaEngine);

      // the file edited while the gateway runs: gamma added, beta removed, alpha changed
      Files.writeString(
          dataDir.resolve("sage.yml"),
          TWO_MODELS
                  .replace("  beta:\n    model: beta-weights\n    runtime: mock\n", "")
                  .replace("runtime: mock\n", "runtime: mock\n    options: {latency_ms: 1}\n")
              + "  gamma:\n    model: gamma-weights\n    runtime: mock\n");
      awaitModel(gateway, "gamma", "running");
      gateway.awaitState(betaEngine, "STOPPED", WAIT);
      gateway.awaitState(alphaEngine, "STOPPED", WAIT);
      assertThat(readyEngines(gateway, "alpha")).hasSize(1).doesNotContain(alphaEngine);
      assertThat(model(gateway, "beta")).isNull();
      assertThat(gateway.post("/v1/chat/completions", chat("a")).status()).isEqualTo(200);

      // the engine started by hand was never touched
      assertThat(gateway.engine(byHand).path("state").asText()).isEqualTo("READY");
      Sage.Result list = Sage.run(Map.of(), "models", "list", "--data-dir", dataDir.toString());
      assertThat(list.stdout()).contains("alpha").contains("gamma").contains("running");
    } finally {
      assertThat(Leftovers.killAll(dataDir)).isZero();
    }
  }

  @Test
  void modelsDeclaredThroughTheApiAndTheFileWinning(@TempDir Path dataDir) throws IOException {
    Files.writeString(
        dataDir.resolve("sage.yml"), "models:\n  filed:\n    model: f\n    runtime: mock\n");
    try (Gateway gateway = Gateway.start(dataDir)) {
      Http.Response created =
          Http.send(
              java.net.http.HttpRequest.newBuilder(
                      java.net.URI.create(gateway.url() + "/v1/management/models/api-one"))
                  .header("Content-Type", "application/json")
                  .PUT(
                      java.net.http.HttpRequest.BodyPublishers.ofString(
                          "{\"model\":\"x\",\"runtime\":\"mock\",\"aliases\":[\"one\"]}")));
      assertThat(created.status()).as(created.body()).isEqualTo(201);
      assertThat(created.json().path("origin").asText()).isEqualTo("api");
      awaitModel(gateway, "api-one", "running");
      assertThat(gateway.post("/v1/chat/completions", chat("one")).status()).isEqualTo(200);

      Http.Response onFileModel =
          Http.send(
              java.net.http.HttpRequest.newBuilder(
                      java.net.URI.create(gateway.url() + "/v1/management/models/filed"))
                  .PUT(
                      java.net.http.HttpRequest.BodyPublishers.ofString(
                          "{\"model\":\"y\",\"runtime\":\"mock\"}")));
      assertThat(onFileModel.status()).isEqualTo(409);
      assertThat(onFileModel.body()).contains("declared in the config file");

      Http.Response badField =
          Http.send(
              java.net.http.HttpRequest.newBuilder(
                      java.net.URI.create(gateway.url() + "/v1/management/models/api-two"))
                  .PUT(
                      java.net.http.HttpRequest.BodyPublishers.ofString(
                          "{\"model\":\"y\",\"runtime\":\"mock\",\"replicas\":{\"min\":3,\"max\":1}}")));
      assertThat(badField.status()).isEqualTo(400);
      assertThat(badField.json().path("error").path("message").asText())
          .contains("api-two.replicas: min 3 is greater than max 1");

      String apiEngine = readyEngines(gateway, "api-one").get(0);
      assertThat(gateway.delete("/v1/management/models/api-one").status()).isEqualTo(200);
      gateway.awaitState(apiEngine, "STOPPED", WAIT);
      assertThat(gateway.get("/v1/management/models/api-one").status()).isEqualTo(404);
    } finally {
      assertThat(Leftovers.killAll(dataDir)).isZero();
    }
  }
}
