package io.sage.engine.embedding.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TextEncoderTest {

  @Test
  void truncationKeepsTheFirstTokensAndTheClosingSpecialToken() {
    TokenizedText text =
        new TokenizedText(new long[] {101, 1, 2, 3, 4, 102}, new long[] {0, 0, 0, 0, 0, 0});
    TokenizedText cut = TextEncoder.truncate(text, 4);
    assertThat(cut.ids()).containsExactly(101, 1, 2, 102);
    assertThat(cut.typeIds()).hasSize(4);
    assertThat(TextEncoder.truncate(text, 6)).isSameAs(text);
  }

  @Test
  void base64IsLittleEndianFloat32() {
    // 1.0f is 0x3F800000: little-endian bytes 00 00 80 3F
    assertThat(EmbeddingHttpServer.toBase64(new float[] {1.0f})).isEqualTo("AACAPw==");
  }
}
