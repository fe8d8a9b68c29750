package io.sage.gateway.security;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.sage.db.engine.JdbcEngineStore;
import io.sage.gateway.json.JsonBody;
import io.sage.host.ControlPlane;
import java.util.Map;

/**
 * {@code POST /v1/management/secrets/rotate}: a new key for the secrets stored in the database
 * ({@code <data-dir>/secret.key}), every stored secret re-encrypted with it, the old key forgotten.
 * Admin only (every management route is); audited.
 */
@Controller("/v1/management/secrets")
@ExecuteOn(TaskExecutors.BLOCKING)
class SecretsController {
  private final JdbcEngineStore store;
  private final ControlPlane manager;

  SecretsController(JdbcEngineStore store, ControlPlane manager) {
    this.store = store;
    this.manager = manager;
  }

  @Post(value = "/rotate", consumes = MediaType.ALL)
  Map<String, Object> rotate(@Body @Nullable byte[] raw) {
    JsonBody.parse(raw, true).throwIfInvalid();
    String id = store.rotateSecretKey();
    manager.audit(Actors.current(), "secrets.rotate", id, "ok", "new secret key " + id);
    return Map.of("key_id", id, "rotated", true);
  }
}
