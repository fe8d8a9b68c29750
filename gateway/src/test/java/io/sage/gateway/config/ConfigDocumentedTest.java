package io.sage.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** docs/operations.md lists every section and key of the config file, with its default. */
class ConfigDocumentedTest {

  @Test
  void theOperationsGuideShowsEveryKeyWithItsDefault() throws IOException {
    String doc = Files.readString(Path.of("../docs/operations.md"));
    String example =
        doc.substring(doc.indexOf("```yaml"), doc.indexOf("```", doc.indexOf("```yaml") + 7));
    for (ConfigSection section : ConfigFile.SECTIONS) {
      assertThat(example).contains("\n" + section.name() + ":");
      for (Map.Entry<String, String> key : section.defaults().entrySet()) {
        String shown = key.getValue().isEmpty() ? "\"\"" : key.getValue();
        assertThat(example)
            .as("%s.%s", section.name(), key.getKey())
            .containsPattern(
                "\n  " + key.getKey() + ": " + java.util.regex.Pattern.quote(shown) + "\\s");
      }
    }
  }
}
