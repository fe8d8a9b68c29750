package io.sage.host.management;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sage.spi.engine.EngineKind;
import org.junit.jupiter.api.Test;

class RemoteRegistrationTest {
  final RemoteRegistration registration = new RemoteRegistration(new SelfAddresses(8000));

  RemoteRegistration.Validated ok(String url) {
    return registration.validate(new RegisterRequest("m", url, null, null, null));
  }

  @Test
  void theUrlLosesTrailingSlashesAndV1() {
    assertThat(ok("http://h:1/v1/").baseUrl()).isEqualTo("http://h:1");
    assertThat(ok("https://api.example.com/openai/").baseUrl())
        .isEqualTo("https://api.example.com/openai");
    assertThat(ok("  http://h:1  ").baseUrl()).isEqualTo("http://h:1");
  }

  @Test
  void theSpecIsARemoteOneServingTheModelByName() {
    RemoteRegistration.Validated v =
        registration.validate(new RegisterRequest("bge", "http://h:1", "embedding", "sk", "lab"));
    assertThat(v.spec().runtime()).isEqualTo("remote");
    assertThat(v.spec().kind()).isEqualTo(EngineKind.EMBEDDING);
    assertThat(v.spec().servedModelName()).isEqualTo("bge");
    assertThat(v.spec().label()).isEqualTo("lab");
    assertThat(v.apiKey()).isEqualTo("sk");
    assertThat(ok("http://h:1").apiKey()).isEmpty();
  }

  @Test
  void thisGatewayIsNoRemoteEngineWhateverThePortSpelling() {
    assertThatThrownBy(() -> ok("http://LOCALHOST:8000/v1"))
        .hasMessageContaining("base_url points at this gateway itself");
    assertThat(ok("http://localhost:8001").baseUrl()).isEqualTo("http://localhost:8001");
  }

  @Test
  void theDefaultPortsCountForTheSelfCheck() {
    RemoteRegistration on80 = new RemoteRegistration(new SelfAddresses(80));
    assertThatThrownBy(
            () -> on80.validate(new RegisterRequest("m", "http://localhost", null, null, null)))
        .hasMessageContaining("points at this gateway");
    RemoteRegistration on443 = new RemoteRegistration(new SelfAddresses(443));
    assertThatThrownBy(
            () -> on443.validate(new RegisterRequest("m", "https://127.0.0.1/", null, null, null)))
        .hasMessageContaining("points at this gateway");
  }

  @Test
  void badUrlsAndKeysAreRefusedWithEveryReason() {
    assertThatThrownBy(() -> ok("not a url")).hasMessageContaining("base_url is not a valid URL");
    assertThatThrownBy(() -> ok("http:///nohost"))
        .hasMessageContaining("base_url must name a host");
    assertThatThrownBy(
            () ->
                registration.validate(
                    new RegisterRequest("m", "http://h:1", "chat", "k\n", "x".repeat(200))))
        .hasMessageContaining("engine_kind must be 'llm' or 'embedding'")
        .hasMessageContaining("api_key must be a printable string of at most 512 characters")
        .hasMessageContaining("label must be at most 128 printable characters");
  }
}
