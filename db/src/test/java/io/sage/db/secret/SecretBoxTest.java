package io.sage.db.secret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretBoxTest {
  @TempDir Path dir;

  @Test
  void sealsWithAPrivateKeyFileAndOpensAgainAfterARestart() throws Exception {
    SecretBox box = new SecretBox(dir.resolve("secret.key"));
    String sealed = box.seal("sk-engine-abc");
    assertThat(sealed).startsWith("enc1:").doesNotContain("sk-engine-abc");
    assertThat(box.seal("sk-engine-abc")).isNotEqualTo(sealed);
    assertThat(Files.getPosixFilePermissions(dir.resolve("secret.key")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(new SecretBox(dir.resolve("secret.key")).open(sealed)).isEqualTo("sk-engine-abc");
    assertThat(box.open("plain-from-before")).isEqualTo("plain-from-before");
    assertThat(box.seal(null)).isNull();
    assertThat(box.seal("")).isEmpty();
  }

  @Test
  void aRotationKeepsOldValuesReadableUntilItFinishes() {
    SecretBox box = new SecretBox(dir.resolve("secret.key"));
    String old = box.seal("v");
    String id = box.beginRotation();
    assertThat(box.currentKeyId()).isEqualTo(id);
    assertThat(box.isCurrent(old)).isFalse();
    assertThat(new SecretBox(dir.resolve("secret.key")).open(old)).isEqualTo("v");
    String fresh = box.seal("v");
    box.finishRotation();
    assertThat(box.isCurrent(fresh)).isTrue();
    assertThatThrownBy(() -> new SecretBox(dir.resolve("secret.key")).open(old))
        .hasMessageContaining("does not hold");
  }

  @Test
  void theKeyFileSitsBesideTheDatabase() {
    assertThat(SecretBox.keyFileBeside("jdbc:h2:file:/srv/sage/sage;WRITE_DELAY=0"))
        .isEqualTo(Path.of("/srv/sage/secret.key"));
    assertThat(SecretBox.keyFileBeside("jdbc:h2:mem:x")).isNull();
  }
}
