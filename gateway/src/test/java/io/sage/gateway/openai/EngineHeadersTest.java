package io.sage.gateway.openai;

import static org.assertj.core.api.Assertions.assertThat;

import io.micronaut.http.HttpResponse;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

class EngineHeadersTest {
  private static final String KEY = "sk-engine-0123456789";

  private static String relayed(int status, String... chunks) {
    Flux<ByteBuf> body =
        Flux.fromIterable(List.of(chunks))
            .map(c -> Unpooled.copiedBuffer(c, StandardCharsets.UTF_8));
    StringBuilder out = new StringBuilder();
    for (ByteBuf buf : EngineHeaders.masked(status, KEY, body).collectList().block()) {
      out.append(buf.toString(StandardCharsets.UTF_8));
      buf.release();
    }
    return out.toString();
  }

  @Test
  void anErrorBodyHasTheKeyMaskedEvenAcrossChunks() {
    assertThat(relayed(401, "{\"error\":\"bad Bearer sk-engine-01", "23456789\"}"))
        .isEqualTo("{\"error\":\"bad Bearer ****\"}");
  }

  @Test
  void successfulBodiesPassUntouched() {
    assertThat(relayed(200, "a", KEY)).isEqualTo("a" + KEY);
  }

  @Test
  void cookiesHopByHopAndGatewayHeadersAreNotRelayed() {
    HttpResponse<?> response = HttpResponse.ok().header("Connection", "close, X-Private");
    for (String name :
        List.of("Set-Cookie", "set-cookie2", "Keep-Alive", "X-Private", "x-sage-engine-id")) {
      assertThat(EngineHeaders.relayed(name, response)).as(name).isFalse();
    }
    assertThat(EngineHeaders.relayed("X-Engine-Note", response)).isTrue();
    assertThat(EngineHeaders.relayed("openai-processing-ms", HttpResponse.ok())).isTrue();
  }
}
