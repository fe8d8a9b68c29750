package io.sage.gateway.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sage.spi.SageException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonBodyTest {
  private static JsonBody parse(String json) {
    return JsonBody.parse(json.getBytes(StandardCharsets.UTF_8), true);
  }

  @Test
  void anUnknownFieldIsA400NamingIt() {
    JsonBody body = parse("{\"name\":\"x\",\"scope\":\"inference\",\"rpm\":3}");
    body.string("name");
    body.string("scope");
    body.strings("models");
    assertThatThrownBy(body::throwIfInvalid)
        .isInstanceOfSatisfying(SageException.class, e -> assertThat(e.param()).isEqualTo("rpm"))
        .hasMessageContaining("unknown field 'rpm'")
        .hasMessageContaining("known: name, scope, models");
  }

  @Test
  void knownFieldsPassAndABodylessRequestRefusesAnyField() {
    JsonBody ok = parse("{\"name\":\"x\"}");
    ok.string("name");
    ok.throwIfInvalid();
    parse("").throwIfInvalid();
    assertThatThrownBy(() -> parse("{\"drain\":false}").throwIfInvalid())
        .hasMessageContaining("unknown field 'drain'")
        .hasMessageContaining("takes no body fields");
  }
}
