package io.sage.gateway.session;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Patch;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.sage.gateway.json.JsonBody;
import io.sage.host.session.Session;
import io.sage.spi.SageException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Session routes (docs/spec.md §5.3), each under {@code /sessions} and {@code /v1/sessions}. */
@Controller
@ExecuteOn(TaskExecutors.BLOCKING)
class SessionController {
  private final SessionService sessions;

  SessionController(SessionService sessions) {
    this.sessions = sessions;
  }

  @Get(uris = {"/sessions", "/v1/sessions"})
  Map<String, Object> list(HttpRequest<?> request) {
    return SessionViews.list(sessions.list(SessionCaller.of(request)));
  }

  @Post(
      uris = {"/sessions", "/v1/sessions"},
      consumes = MediaType.ALL)
  HttpResponse<?> create(HttpRequest<?> request, @Body @Nullable byte[] raw) {
    JsonBody body = JsonBody.parse(raw, true);
    String title = body.string("title");
    body.throwIfInvalid();
    Session session = sessions.create(SessionCaller.of(request), title);
    return HttpResponse.status(HttpStatus.CREATED).body(SessionViews.session(session));
  }

  @Get(uris = {"/sessions/{id}", "/v1/sessions/{id}"})
  Map<String, Object> get(HttpRequest<?> request, @PathVariable String id) {
    SessionCaller caller = SessionCaller.of(request);
    Session session = sessions.get(caller, id);
    return SessionViews.detail(session, sessions.messages(caller, id));
  }

  @Post(
      uris = {"/sessions/{id}/clear", "/v1/sessions/{id}/clear"},
      consumes = MediaType.ALL)
  Map<String, Object> clear(HttpRequest<?> request, @PathVariable String id) {
    SessionCaller caller = SessionCaller.of(request);
    long deleted = sessions.clear(caller, id);
    Map<String, Object> view = SessionViews.session(sessions.get(caller, id));
    view.put("deleted_messages", deleted);
    return view;
  }

  @Patch(
      uris = {"/sessions/{id}/title", "/v1/sessions/{id}/title"},
      consumes = MediaType.ALL)
  Map<String, Object> rename(
      HttpRequest<?> request, @PathVariable String id, @Body @Nullable byte[] raw) {
    JsonBody body = JsonBody.parse(raw, false);
    String title = body.string("title");
    body.throwIfInvalid();
    return SessionViews.session(sessions.rename(SessionCaller.of(request), id, title));
  }

  @Delete(uris = {"/sessions/{id}", "/v1/sessions/{id}"})
  Map<String, Object> delete(HttpRequest<?> request, @PathVariable String id) {
    sessions.delete(SessionCaller.of(request), id);
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("id", id);
    view.put("object", "session");
    view.put("deleted", true);
    return view;
  }

  @Post(
      uris = {"/sessions/cleanup", "/v1/sessions/cleanup"},
      consumes = MediaType.ALL)
  Map<String, Object> cleanup(
      HttpRequest<?> request,
      @QueryValue(value = "max_age_minutes", defaultValue = "") String maxAge) {
    long minutes = minutes(maxAge);
    List<String> deleted = sessions.cleanup(SessionCaller.of(request), minutes);
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("max_age_minutes", minutes);
    view.put("deleted", deleted.size());
    view.put("session_ids", deleted);
    return view;
  }

  private static long minutes(String value) {
    if (value.isBlank()) {
      throw SageException.invalid(
          "max_age_minutes", "query parameter 'max_age_minutes' is required");
    }
    try {
      return Long.parseLong(value.strip());
    } catch (NumberFormatException e) {
      throw SageException.invalid(
          "max_age_minutes",
          "'max_age_minutes' must be a positive whole number; got '" + value + "'");
    }
  }
}
