package io.sage.host.management;

import static org.assertj.core.api.Assertions.assertThat;

import io.sage.host.fake.FakeRuntime;
import io.sage.host.fake.FakeRuntimes;
import io.sage.spi.engine.EngineKind;
import io.sage.spi.engine.EngineSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OptionMaskingTest {
  final OptionMasking masking = new OptionMasking(new FakeRuntimes(new FakeRuntime("fake")));

  static EngineSpec spec(String runtime, Map<String, String> options) {
    return new EngineSpec(
        "m", null, EngineKind.LLM, runtime, null, 1, List.of(), false, null, List.of(), options);
  }

  @Test
  void theRuntimesSecretsAndSecretLookingNamesAreMasked() {
    Map<String, String> shown =
        masking.masked(
            spec(
                "fake",
                Map.of(
                    "hf_auth", "a",
                    "api_key", "b",
                    "hf.token", "c",
                    "db-password", "d",
                    "aws_credentials", "e",
                    "keyboard", "f",
                    "tokens_per_second", "50")));

    assertThat(shown)
        .containsExactly(
            Map.entry("api_key", "****"),
            Map.entry("aws_credentials", "****"),
            Map.entry("db-password", "****"),
            Map.entry("hf.token", "****"),
            Map.entry("hf_auth", "****"),
            Map.entry("keyboard", "f"),
            Map.entry("tokens_per_second", "50"));
  }

  @Test
  void anUninstalledRuntimeStillGetsTheNameRule() {
    assertThat(masking.masked(spec("gone", Map.of("secret", "s", "hf_auth", "visible"))))
        .containsExactly(Map.entry("hf_auth", "visible"), Map.entry("secret", "****"));
  }
}
