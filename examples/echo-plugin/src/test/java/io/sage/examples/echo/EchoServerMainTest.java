package io.sage.examples.echo;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EchoServerMainTest {
  private final HttpClient http = HttpClient.newHttpClient();
  private HttpServer server;
  private String base;

  @BeforeEach
  void start() throws Exception {
    server = EchoServerMain.start("127.0.0.1", 0, "echo-model", "secret");
    base = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private HttpResponse<String> send(String path, String body, String key) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path));
    if (key != null) {
      request.header("Authorization", "Bearer " + key);
    }
    request =
        body == null ? request.GET() : request.POST(HttpRequest.BodyPublishers.ofString(body));
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void answersWithTheLastUserMessage() throws Exception {
    HttpResponse<String> response =
        send(
            "/v1/chat/completions",
            "{\"model\":\"echo-model\",\"messages\":[{\"role\":\"user\",\"content\":\"first\"},"
                + "{\"role\":\"assistant\",\"content\":\"x\"},{\"role\":\"user\",\"content\":\"say \\\"hi\\\"\\n\"}]}",
            "secret");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body())
        .contains("\"content\":\"say \\\"hi\\\"\\n\"")
        .contains("\"model\":\"echo-model\"");
  }

  @Test
  void streamsWordsThenDone() throws Exception {
    HttpResponse<String> response =
        send(
            "/v1/chat/completions",
            "{\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"one two\"}]}",
            "secret");

    assertThat(response.body())
        .contains("\"content\":\"one \"")
        .contains("\"content\":\"two\"")
        .contains("\"finish_reason\":\"stop\"")
        .endsWith("data: [DONE]\n\n");
  }

  @Test
  void healthIsOpenButTheApiNeedsTheKey() throws Exception {
    assertThat(send("/health", null, null).statusCode()).isEqualTo(200);
    assertThat(send("/v1/models", null, null).statusCode()).isEqualTo(401);
    assertThat(send("/v1/models", null, "wrong").statusCode()).isEqualTo(401);
    assertThat(send("/v1/models", null, "secret").body()).contains("\"id\":\"echo-model\"");
    assertThat(send("/v1/chat/completions", "{not json", "secret").statusCode()).isEqualTo(400);
  }
}
