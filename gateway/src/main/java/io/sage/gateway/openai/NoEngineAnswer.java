package io.sage.gateway.openai;

import io.sage.host.ControlPlane;
import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import io.sage.spi.engine.EngineKind;
import java.util.List;
import java.util.Optional;

/**
 * Why no engine can take a request: every candidate failed (502), the model is known but none is
 * READY (503), the model is served under the other endpoint kind (400), or it does not exist (404).
 */
final class NoEngineAnswer {
  private NoEngineAnswer() {}

  static SageException explain(
      ControlPlane router, String model, EngineKind kind, List<String> tried, String lastFailure) {
    if (!tried.isEmpty()) {
      return new SageException(
          ErrorCode.ENGINE_UNREACHABLE,
          "no engine of model '"
              + model
              + "' could serve the request; last failure: "
              + lastFailure);
    }
    if (router.isKnown(model, kind)) {
      return new SageException(
          ErrorCode.NO_READY_ENGINE,
          "model '" + model + "' has no READY engine right now; retry later",
          "model");
    }
    Optional<EngineKind> other = router.kindServing(model);
    if (other.isPresent() && other.get() != kind) {
      return new SageException(
          ErrorCode.INVALID_REQUEST,
          "model '"
              + model
              + "' is an "
              + other.get().wireName()
              + " model; use "
              + (other.get() == EngineKind.EMBEDDING
                  ? "/v1/embeddings"
                  : "/v1/chat/completions or /v1/completions"),
          "model");
    }
    return new SageException(
        ErrorCode.MODEL_NOT_FOUND,
        "model '" + model + "' does not exist; GET /v1/models lists the served models",
        "model");
  }
}
