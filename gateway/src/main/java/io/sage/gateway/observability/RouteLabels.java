package io.sage.gateway.observability;

import java.util.Set;

/**
 * The {@code route} label of request meters: the inference routes the gateway names, and {@code
 * other} for any other path relayed by the {@code POST /v1/...} catch-all, so clients cannot grow
 * the label set by inventing paths.
 */
final class RouteLabels {
  static final String OTHER = "other";
  private static final Set<String> KNOWN =
      Set.of(
          "/v1/chat/completions",
          "/v1/completions",
          "/v1/embeddings",
          "/v1/responses",
          "/v1/rerank",
          "/rerank",
          "/v2/rerank",
          "/v1/score",
          "/score",
          "/tokenize",
          "/detokenize",
          "/pooling",
          "/classify",
          "/v1/audio/transcriptions",
          "/v1/audio/translations");

  private RouteLabels() {}

  static String of(String path) {
    return KNOWN.contains(path) ? path : OTHER;
  }
}
