package io.sage.gateway.security;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Put;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.sage.gateway.json.JsonBody;
import io.sage.gateway.limits.KeyLimitBook;
import io.sage.gateway.limits.KeyLimitsBody;
import io.sage.host.ControlPlane;
import io.sage.host.security.StoredApiKey;
import io.sage.host.usage.KeyLimits;
import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /v1/management/keys}: create (the key is in this one answer and nowhere else), list (never
 * the key, never its hash), revoke, and set a key's limits ({@code PUT /{id}/limits}). The
 * authentication filter lets only admin keys in; every action is audited with the acting key's id.
 */
@Controller("/v1/management/keys")
@ExecuteOn(TaskExecutors.BLOCKING)
class KeysController {
  private final ApiKeys keys;
  private final ControlPlane manager;
  private final KeyLimitBook limits;

  KeysController(ApiKeys keys, ControlPlane manager, KeyLimitBook limits) {
    this.keys = keys;
    this.manager = manager;
    this.limits = limits;
  }

  @Post(consumes = MediaType.ALL)
  HttpResponse<?> create(@Body @Nullable byte[] raw) {
    String actor = Actors.current();
    try {
      JsonBody body = JsonBody.parse(raw, false);
      String name = body.string("name");
      String scope = body.string("scope");
      List<String> models = body.strings("models");
      KeyLimits asked = KeyLimitsBody.parse(body, "new");
      ApiKeys.Created created = keys.create(name, scope, models);
      StoredApiKey key = created.stored();
      KeyLimits keyLimits =
          new KeyLimits(
              key.id(),
              asked.rpm(),
              asked.tpm(),
              asked.budgetTokens(),
              asked.budgetPeriod(),
              asked.weight());
      limits.put(keyLimits);
      manager.audit(
          actor,
          "key.create",
          key.id(),
          "ok",
          "name '"
              + key.name()
              + "', scope "
              + key.scope()
              + (key.models().isEmpty() ? "" : ", models " + key.models())
              + ", "
              + KeyLimitsBody.describe(keyLimits));
      Map<String, Object> view = view(key);
      view.put("key", created.secret());
      view.put("note", "store this key now: it is shown only once");
      return HttpResponse.status(HttpStatus.CREATED).body(view);
    } catch (SageException e) {
      manager.audit(actor, "key.create", null, "error", e.getMessage());
      throw e;
    }
  }

  /** Replaces the key's limits (fields left out: no such limit). */
  @Put(value = "/{id}/limits", consumes = MediaType.ALL)
  Map<String, Object> setLimits(@PathVariable String id, @Body @Nullable byte[] raw) {
    String actor = Actors.current();
    try {
      StoredApiKey key =
          keys.list().stream()
              .filter(k -> k.id().equals(id))
              .findFirst()
              .orElseThrow(
                  () ->
                      new SageException(
                          ErrorCode.NOT_FOUND, "API key " + id + " does not exist", "id"));
      KeyLimits keyLimits = KeyLimitsBody.parse(JsonBody.parse(raw, false), key.id());
      limits.put(keyLimits);
      manager.audit(actor, "key.limits", id, "ok", KeyLimitsBody.describe(keyLimits));
      return view(key);
    } catch (SageException e) {
      manager.audit(actor, "key.limits", id, "error", e.getMessage());
      throw e;
    }
  }

  @Get
  Map<String, Object> list() {
    List<Map<String, Object>> views = keys.list().stream().map(this::view).toList();
    return Map.of("keys", views, "count", views.size());
  }

  @Delete("/{id}")
  Map<String, Object> revoke(@PathVariable String id) {
    String actor = Actors.current();
    try {
      StoredApiKey revoked = keys.revoke(id);
      manager.audit(actor, "key.revoke", id, "ok", "name '" + revoked.name() + "'");
      return view(revoked);
    } catch (SageException e) {
      manager.audit(actor, "key.revoke", id, "error", e.getMessage());
      throw e;
    }
  }

  Map<String, Object> view(StoredApiKey key) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("id", key.id());
    view.put("name", key.name());
    view.put("scope", key.scope());
    view.put("models", key.models());
    view.put("created_at", time(key.createdAt()));
    view.put("last_used_at", time(key.lastUsedAt()));
    view.put("revoked_at", time(key.revokedAt()));
    view.put("active", key.active());
    view.put("limits", KeyLimitsBody.view(limits.of(key.id())));
    return view;
  }

  private static String time(Instant instant) {
    return instant == null ? null : instant.toString();
  }
}
