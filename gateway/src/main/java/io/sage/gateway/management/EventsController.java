package io.sage.gateway.management;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.http.sse.Event;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import reactor.core.publisher.Flux;

/**
 * {@code GET /v1/management/events}: the registry's changes. Without {@code follow} a JSON page of
 * the changes kept in memory (after {@code since}, an event id); with {@code follow=true} a
 * server-sent event stream that starts with what the client missed (from {@code Last-Event-ID} or
 * {@code since}) or with a {@code snapshot} of every engine, then sends each change as it is
 * committed, and a {@code keep-alive} event every 15 seconds so that idle connections stay open and
 * a client that left is noticed.
 */
@Controller("/v1/management/events")
class EventsController {
  static final Duration KEEP_ALIVE = Duration.ofSeconds(15);
  private final RegistryEvents events;

  EventsController(RegistryEvents events) {
    this.events = events;
  }

  @Get(produces = {MediaType.APPLICATION_JSON, MediaType.TEXT_EVENT_STREAM})
  HttpResponse<?> events(
      @QueryValue(defaultValue = "false") String follow,
      @QueryValue(defaultValue = "") String since,
      @Header("Last-Event-ID") @Nullable String lastEventId) {
    String from = lastEventId != null && !lastEventId.isBlank() ? lastEventId.trim() : since;
    if (!EngineController.flag("follow", follow)) {
      return HttpResponse.ok(page(from)).contentType(MediaType.APPLICATION_JSON_TYPE);
    }
    Flux<Event<?>> changes =
        events.log().follow(from.isEmpty() ? null : from, events::snapshot).map(this::event);
    Flux<Event<?>> keepAlive =
        Flux.interval(KEEP_ALIVE).map(tick -> Event.of((Object) Map.of()).name("keep-alive"));
    return HttpResponse.ok(Flux.merge(changes, keepAlive))
        .contentType(MediaType.TEXT_EVENT_STREAM_TYPE)
        .header("Cache-Control", "no-cache")
        .header("X-Accel-Buffering", "no");
  }

  private Event<?> event(ChangeLog.Change change) {
    return Event.of((Object) change.data())
        .name(change.type())
        .id(events.log().id(change.seq()))
        .retry(Duration.ofSeconds(2));
  }

  private Map<String, Object> page(String since) {
    ChangeLog log = events.log();
    List<ChangeLog.Change> changes = log.after(since.isEmpty() ? null : since);
    boolean resumed = changes != null;
    List<Map<String, Object>> views =
        (resumed ? changes : log.all()).stream().map(this::view).toList();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("events", views);
    body.put("count", views.size());
    body.put("last_event_id", log.lastId());
    body.put("resumed", resumed);
    return body;
  }

  private Map<String, Object> view(ChangeLog.Change change) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("id", events.log().id(change.seq()));
    view.put("type", change.type());
    view.putAll(change.data());
    return view;
  }
}
