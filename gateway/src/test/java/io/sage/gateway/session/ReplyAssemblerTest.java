package io.sage.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ReplyAssemblerTest {

  private static ReplyAssembler feed(String body, int chunkSize) {
    ReplyAssembler assembler = new ReplyAssembler();
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < bytes.length; i += chunkSize) {
      assembler.accept(ByteBuffer.wrap(bytes, i, Math.min(chunkSize, bytes.length - i)).slice());
    }
    assembler.finish();
    return assembler;
  }

  private static String event(String delta, String finish) {
    return "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{"
        + delta
        + "},\"finish_reason\":"
        + finish
        + "}]}\n\n";
  }

  @Test
  void aStreamIsJoinedFromItsDeltasWhateverTheChunkBoundaries() {
    String stream =
        event("\"role\":\"assistant\",\"content\":\"tok0\"", "null")
            + event("\"content\":\" t\u00e9k1\"", "null")
            + event("\"content\":\" tok2\"", "\"length\"")
            + "data: {\"id\":\"c1\",\"choices\":[],\"usage\":{\"total_tokens\":3}}\n\n"
            + "data: [DONE]\n\n";
    for (int size : new int[] {1, 3, 7, 64, 4096}) {
      ReplyAssembler assembler = feed(stream, size);
      assertThat(assembler.problem()).isNull();
      assertThat(assembler.text()).isEqualTo("tok0 t\u00e9k1 tok2");
      assertThat(assembler.finishReason()).isEqualTo("length");
    }
  }

  @Test
  void crLfLinesAndALastLineWithoutNewlineAreRead() {
    ReplyAssembler assembler =
        feed(
            event("\"content\":\"a\"", "null").replace("\n", "\r\n")
                + event("\"content\":\"b\"", "null").strip(),
            5);

    assertThat(assembler.text()).isEqualTo("ab");
  }

  @Test
  void anErrorEventIsAProblem() {
    ReplyAssembler assembler =
        feed(
            event("\"content\":\"a\"", "null")
                + "data: {\"error\":{\"message\":\"engine e1 failed mid-stream\"}}\n\n",
            16);

    assertThat(assembler.problem()).contains("engine e1 failed mid-stream");
  }

  @Test
  void aWholeReplyIsReadFromItsMessage() {
    ReplyAssembler assembler =
        feed(
            "{\"id\":\"c1\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                + "\"content\":\"hello there\"},\"finish_reason\":\"stop\"}]}",
            5);

    assertThat(assembler.problem()).isNull();
    assertThat(assembler.text()).isEqualTo("hello there");
    assertThat(assembler.finishReason()).isEqualTo("stop");
  }

  @Test
  void toolCallsOfAWholeReplyAreKept() {
    ReplyAssembler assembler =
        feed(
            "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":null,"
                + "\"tool_calls\":[{\"id\":\"t1\"}]}}]}",
            100);

    assertThat(assembler.text()).isEmpty();
    assertThat(assembler.toolCalls().get(0).get("id").asText()).isEqualTo("t1");
  }

  @Test
  void brokenOrEmptyRepliesAreProblems() {
    assertThat(feed("{\"choices\":[", 4).problem()).contains("not JSON");
    assertThat(feed("", 4).problem()).contains("empty");
    assertThat(feed("{\"object\":\"x\"}", 4).problem()).contains("no choices");
  }
}
