package io.sage.engine.embedding.server;

/**
 * One input after tokenization, special tokens included, ready for the model.
 *
 * @param ids token ids
 * @param typeIds token type ids (all 0 for a single sentence)
 */
public record TokenizedText(long[] ids, long[] typeIds) {
  public TokenizedText {
    if (ids.length == 0 || ids.length != typeIds.length) {
      throw new IllegalArgumentException("ids and typeIds must be non-empty and of equal length");
    }
  }

  public int tokenCount() {
    return ids.length;
  }
}
