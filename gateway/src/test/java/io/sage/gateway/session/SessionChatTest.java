package io.sage.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sage.host.session.MessageStatus;
import io.sage.host.session.SessionMessage;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class SessionChatTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void historyGoesAfterTheSystemPromptAndBeforeTheNewTurnAndTheFieldIsRemoved() throws Exception {
    ObjectNode body =
        (ObjectNode)
            StoredContent.JSON.readTree(
                "{\"model\":\"m\",\"session_id\":\"sess-1\","
                    + "\"temperature\":0.70,\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},"
                    + "{\"role\":\"user\",\"content\":\"q2\"}],\"stream\":true}");
    List<SessionMessage> history =
        List.of(
            new SessionMessage(1, "user", "q1", MessageStatus.OK, null, T0),
            new SessionMessage(2, "assistant", "a1", MessageStatus.OK, "{\"engine_id\":\"e\"}", T0),
            new SessionMessage(
                3,
                "user",
                "[{\"type\":\"text\",\"text\":\"parts\"}]",
                MessageStatus.OK,
                "{\"content_format\":\"json\"}",
                T0));

    byte[] rewritten = SessionChat.rewrite(body, (ArrayNode) body.get("messages"), history);

    String text = new String(rewritten, java.nio.charset.StandardCharsets.UTF_8);
    assertThat(text).doesNotContain("session_id").contains("\"temperature\":0.70");
    JsonNode out = StoredContent.JSON.readTree(rewritten);
    assertThat(out.get("messages"))
        .extracting(m -> m.get("role").asText())
        .containsExactly("system", "user", "assistant", "user", "user");
    assertThat(out.at("/messages/1/content").asText()).isEqualTo("q1");
    assertThat(out.at("/messages/3/content/0/text").asText()).isEqualTo("parts");
    assertThat(out.at("/messages/4/content").asText()).isEqualTo("q2");
    assertThat(out.get("stream").asBoolean()).isTrue();
    assertThat(body.has("session_id")).as("the parsed request is not changed").isTrue();
  }
}
