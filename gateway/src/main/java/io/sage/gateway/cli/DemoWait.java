package io.sage.gateway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Waits, with progress, until the demo engines are READY, so the README's curl lines work at once.
 */
final class DemoWait {
  private static final ObjectMapper JSON = new ObjectMapper();

  private DemoWait() {}

  static void awaitDemoEngines(
      HttpClient http, String url, java.nio.file.Path dataDir, long deadlineNanos)
      throws InterruptedException {
    String key = adminKey(dataDir);
    String last = "";
    while (System.nanoTime() < deadlineNanos) {
      List<String> pending = new ArrayList<>();
      try {
        HttpRequest.Builder request =
            HttpRequest.newBuilder(URI.create(url + "/v1/management/engines"))
                .timeout(Duration.ofSeconds(5))
                .GET();
        if (key != null) {
          request.header("Authorization", "Bearer " + key);
        }
        HttpResponse<String> response =
            http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode engines = JSON.readTree(response.body()).path("engines");
        int demo = 0;
        for (JsonNode engine : engines) {
          if (!"demo".equals(engine.path("label").asText())) {
            continue;
          }
          demo++;
          String state = engine.path("state").asText();
          if ("ERROR".equals(state)) {
            throw new CliException(
                SageCli.FAILED,
                "demo engine "
                    + engine.path("model").asText()
                    + " failed: "
                    + engine.path("last_error").asText());
          }
          if (!"READY".equals(state)) {
            pending.add(engine.path("model").asText() + " " + state);
          }
        }
        if (demo > 0 && pending.isEmpty()) {
          return;
        }
      } catch (IOException e) {
        pending.add("gateway busy");
      }
      String now = "waiting for demo engines: " + String.join(", ", pending);
      if (!now.equals(last)) {
        System.out.println(now);
        last = now;
      }
      Thread.sleep(250);
    }
    throw new CliException(
        SageCli.FAILED, "demo engines not READY in time; see `sage llm engine list`");
  }

  /** The admin key the gateway wrote into its data dir at first start, if readable. */
  private static String adminKey(java.nio.file.Path dataDir) {
    try {
      java.nio.file.Path file = dataDir.resolve(ClientOptions.ADMIN_KEY_FILE);
      return java.nio.file.Files.isReadable(file)
          ? java.nio.file.Files.readString(file).trim()
          : null;
    } catch (IOException e) {
      return null;
    }
  }
}
