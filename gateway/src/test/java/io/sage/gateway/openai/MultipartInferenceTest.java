package io.sage.gateway.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sage.spi.SageException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class MultipartInferenceTest {
  private static final String TYPE = "multipart/form-data; boundary=\"xyz\"";

  private static byte[] form(byte[] file) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(
        ("--xyz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\n"
                + "Content-Type: audio/wav\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1));
    out.writeBytes(file);
    out.writeBytes(
        ("\r\n--xyz\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nwhisper\r\n"
                + "--xyz\r\nContent-Disposition: form-data; name=\"stream\"\r\n\r\ntrue\r\n--xyz--\r\n")
            .getBytes(StandardCharsets.ISO_8859_1));
    return out.toByteArray();
  }

  @Test
  void readsTheModelFieldAndKeepsBinaryPartsWhole() {
    byte[] file = {0, 13, 10, 45, 45, (byte) 0xff, 13, 10};
    byte[] body = form(file);
    assertThat(MultipartInference.applies(TYPE)).isTrue();
    assertThat(MultipartInference.applies("application/json")).isFalse();
    InferenceRequest parsed = MultipartInference.inspect(body, TYPE);
    assertThat(parsed.model()).isEqualTo("whisper");
    assertThat(parsed.stream()).isTrue();
    List<MultipartInference.Part> parts = MultipartInference.parts(body, TYPE);
    assertThat(parts)
        .extracting(MultipartInference.Part::name)
        .containsExactly("file", "model", "stream");
    assertThat(parts.get(0).filename()).isEqualTo("a.wav");
    assertThat(parts.get(0).contentType()).isEqualTo("audio/wav");
    assertThat(parts.get(0).bytes()).containsExactly(file);
  }

  @Test
  void aFormWithoutModelOrBoundaryIsA400() {
    assertThatThrownBy(
            () ->
                MultipartInference.inspect(
                    "--xyz\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nx\r\n--xyz--\r\n"
                        .getBytes(StandardCharsets.ISO_8859_1),
                    TYPE))
        .isInstanceOfSatisfying(SageException.class, e -> assertThat(e.param()).isEqualTo("model"));
    assertThatThrownBy(() -> MultipartInference.inspect(new byte[] {1}, "multipart/form-data"))
        .hasMessageContaining("boundary");
    assertThatThrownBy(() -> MultipartInference.inspect("--xyz\r\nnever closed".getBytes(), TYPE))
        .isInstanceOf(SageException.class);
  }
}
