package io.sage.spi.engine;

import io.sage.spi.SageException;
import java.util.Locale;

/** What an engine serves: chat and text completions, or embeddings. */
public enum EngineKind {
  LLM,
  EMBEDDING;

  /** The name used on the wire and in the database: {@code llm} or {@code embedding}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a wire name; an unknown one is a user error naming the accepted values. */
  public static EngineKind parse(String value) {
    if (value != null) {
      for (EngineKind kind : values()) {
        if (kind.wireName().equalsIgnoreCase(value.trim())) {
          return kind;
        }
      }
    }
    throw SageException.invalid(
        "engine_kind", "engine_kind must be 'llm' or 'embedding', got '" + value + "'");
  }
}
