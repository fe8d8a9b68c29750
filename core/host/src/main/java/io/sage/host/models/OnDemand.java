package io.sage.host.models;

import io.sage.host.ControlPlane;
import io.sage.host.EngineSnapshot;
import io.sage.host.engine.EngineEvent;
import io.sage.host.engine.EngineListener;
import io.sage.host.engine.EngineRecord;
import io.sage.host.store.ModelStore;
import io.sage.host.time.Scheduler;
import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serving declared models on demand: a request for a model with no READY engine waits in the
 * model's bounded queue while one engine is launched (swapping out the least recently used model of
 * its group when the group is full, draining an idle engine of its group when the GPUs have no
 * room: {@link GpuRoom}); the queue is released in arrival order at READY and failed with the
 * engine's reason at ERROR. Also remembers when each model was last asked for (idle unload and
 * swapping use it) and how long its loads took (for {@code Retry-After}).
 */
final class OnDemand implements EngineListener {
  private static final Logger LOG = LoggerFactory.getLogger(OnDemand.class);

  private final ControlPlane controlPlane;
  private final Scheduler scheduler;
  private final LoadTimes loads;
  private final ModelReconciler reconciler;
  private final Supplier<Declarations> declarations;
  private final Map<String, Deque<CompletableFuture<Void>>> queues = new HashMap<>();
  private final Set<String> launching = new HashSet<>();
  private final Set<String> pending = new HashSet<>();
  private final Map<String, Instant> lastUsed = new ConcurrentHashMap<>();
  private final Map<String, Instant> startedAt = new ConcurrentHashMap<>();
  private final GpuRoom room = new GpuRoom();
  private volatile Runnable published = () -> {};

  OnDemand(
      ControlPlane controlPlane,
      Scheduler scheduler,
      ModelStore store,
      ModelReconciler reconciler,
      Supplier<Declarations> declarations) {
    this.controlPlane = controlPlane;
    this.scheduler = scheduler;
    this.loads = new LoadTimes(controlPlane, scheduler, store);
    this.reconciler = reconciler;
    this.declarations = declarations;
  }

  /** What to run when requests begin to wait on a follower: write the activity at once. */
  void onWaiting(Runnable publish) {
    this.published = publish;
  }

  /** A request asked for the model now. */
  void used(String model) {
    lastUsed.put(model, scheduler.now());
  }

  Optional<Instant> lastUsed(String model) {
    return Optional.ofNullable(lastUsed.get(model));
  }

  synchronized int waiting(String model) {
    Deque<CompletableFuture<Void>> queue = queues.get(model);
    return queue == null ? 0 : queue.size();
  }

  /**
   * Completes when the model has a READY engine (at once when it has one), launching one if none is
   * on its way; fails with 503 and the reason when the load fails.
   *
   * @throws ModelBusyException when the model's queue is full
   */
  synchronized CompletableFuture<Void> awaitReady(ModelDeclaration d) {
    used(d.name());
    Replicas replicas = reconciler.replicas();
    List<EngineSnapshot> engines = replicas.known();
    if (ModelEngines.hasReady(d, engines)) {
      return CompletableFuture.completedFuture(null);
    }
    Deque<CompletableFuture<Void>> queue =
        queues.computeIfAbsent(d.name(), n -> new ArrayDeque<>());
    if (queue.size() >= d.maxWaiting()) {
      throw new ModelBusyException(
          "model '"
              + d.name()
              + "' is loading and "
              + queue.size()
              + " requests already wait for it (max_waiting "
              + d.maxWaiting()
              + "); retry later",
          loads.retryAfter(d, engines));
    }
    CompletableFuture<Void> waiter = new CompletableFuture<>();
    queue.add(waiter);
    // a client that goes away (cancel) or a timeout leaves the queue
    waiter.whenComplete((v, e) -> leave(d.name(), waiter));
    Duration limit = loads.waitLimit(d);
    Scheduler.Timer timer =
        scheduler.schedule(
            limit,
            () ->
                waiter.completeExceptionally(
                    new SageException(
                        ErrorCode.NO_READY_ENGINE,
                        "model '"
                            + d.name()
                            + "' did not become READY within "
                            + limit.toSeconds()
                            + " s",
                        "model")));
    waiter.whenComplete((v, e) -> timer.cancel());
    if (!replicas.shared()) {
      wake(d, engines);
    } else if (replicas.leads()) {
      // the leader launches for the whole cluster, counting the starts on their way
      scheduler.execute(() -> wakeFor(d));
    } else {
      // a follower launches nothing: it tells the leader that requests wait (docs/cluster.md)
      scheduler.execute(published);
    }
    return waiter;
  }

  private synchronized void leave(String model, CompletableFuture<Void> waiter) {
    Deque<CompletableFuture<Void>> queue = queues.get(model);
    if (queue != null) {
      queue.remove(waiter);
    }
  }

  /** Retries the launches that wait for room in their group; called by the tick. */
  void retryPending() {
    List<String> models;
    synchronized (this) {
      models = new ArrayList<>(pending);
    }
    for (String name : models) {
      declarations.get().model(name).ifPresent(d -> wakeIfWaited(d));
    }
  }

  private void wakeIfWaited(ModelDeclaration d) {
    // read before taking the lock: with a shared store it is a database read, and requests take
    // the lock on the event loop
    List<EngineSnapshot> engines = reconciler.replicas().engines();
    synchronized (this) {
      if (waiting(d.name()) == 0) {
        pending.remove(d.name());
        room.forget(d.name());
        return;
      }
      wake(d, engines);
    }
  }

  /**
   * The leader's launch for requests waiting anywhere in the cluster (its own queue or other nodes'
   * activity): one engine unless one is already launching, on its way or running.
   */
  void wakeFor(ModelDeclaration d) {
    List<EngineSnapshot> engines = reconciler.replicas().engines();
    synchronized (this) {
      wake(d, engines);
    }
  }

  /** Launches an engine of {@code d} unless one is on its way, making room in its group first. */
  private void wake(ModelDeclaration d, List<EngineSnapshot> engines) {
    if (launching.contains(d.name()) || ModelEngines.loading(d.name(), engines)) {
      pending.remove(d.name());
      return;
    }
    Optional<ModelGroup> group =
        d.group() == null ? Optional.empty() : declarations.get().group(d.group());
    if (group.isPresent()) {
      List<String> loaded = loadedInGroup(group.get(), d.name(), engines);
      if (loaded.size() >= group.get().maxLoaded()) {
        Optional<String> victim = victim(loaded, engines);
        if (victim.isEmpty()) {
          // every loaded model has requests in flight: never cut them, wait for one to finish
          pending.add(d.name());
          return;
        }
        pending.add(d.name());
        unload(
            victim.get(),
            engines,
            "swapped out for "
                + d.name()
                + " (group "
                + d.group()
                + ", max_loaded "
                + group.get().maxLoaded()
                + ")");
        return;
      }
    }
    if (room.holdsBack(d, declarations.get(), engines, this::usedAt, this::waiting)) {
      pending.add(d.name());
      return;
    }
    pending.remove(d.name());
    launching.add(d.name());
    scheduler.execute(() -> launch(d));
  }

  private void launch(ModelDeclaration d) {
    try {
      String id = reconciler.start(d, "requested, none running");
      LOG.info("models: {} requested; launched {}", d.name(), id);
    } catch (SageException e) {
      if (e.code() == ErrorCode.ILLEGAL_STATE) {
        // a failed engine was restarted by its restart policy meanwhile: wait for that one
        return;
      }
      if (e.code() == ErrorCode.GPU_UNAVAILABLE && makeRoom(d, e.getMessage())) {
        return;
      }
      LOG.warn("models: cannot launch {} on demand: {}", d.name(), e.getMessage());
      failAll(
          d.name(),
          "model '"
              + d.name()
              + "' cannot be started: "
              + e.getMessage()
              + (e.code() == ErrorCode.GPU_UNAVAILABLE && d.group() != null
                  ? "; no other engine of group '" + d.group() + "' holds GPUs to give up"
                  : ""));
    } finally {
      synchronized (this) {
        launching.remove(d.name());
      }
    }
  }

  /**
   * The launch of {@code d} found no room on the GPUs ({@link GpuRoom}): drains an idle engine of
   * its group or waits for one; false when nothing in the group can make room.
   */
  private boolean makeRoom(ModelDeclaration d, String placement) {
    List<EngineSnapshot> engines = reconciler.replicas().engines();
    synchronized (this) {
      return makeRoom(d, placement, engines);
    }
  }

  private boolean makeRoom(ModelDeclaration d, String placement, List<EngineSnapshot> engines) {
    GpuRoom.Decision next =
        GpuRoom.decide(d, declarations.get(), engines, this::usedAt, this::waiting);
    room.took(d.name(), next);
    switch (next.step()) {
      case DRAIN -> {
        String id = next.engine().id();
        LOG.info("models: no room on the GPUs for {}; draining {} to make room", d.name(), id);
        String why =
            "making room on the GPUs for " + d.name() + " (group " + d.group() + "): " + placement;
        scheduler.execute(() -> reconciler.stop(id, why));
      }
      case WAIT ->
          LOG.info(
              "models: no room on the GPUs for {}; it waits for an engine of group {} to be idle",
              d.name(),
              d.group());
      case REFUSE -> {
        return false;
      }
    }
    pending.add(d.name());
    return true;
  }

  private Instant usedAt(String model) {
    return lastUsed.getOrDefault(model, Instant.EPOCH);
  }

  /** Drains and stops every live engine of a model, with the reason in their events. */
  void unload(String model, List<EngineSnapshot> engines, String reason) {
    for (EngineSnapshot engine : engines) {
      Optional<String[]> owner = ModelPlanner.declaredBy(engine);
      if (owner.isPresent() && owner.get()[0].equals(model) && ModelPlanner.live(engine)) {
        scheduler.execute(() -> reconciler.stop(engine.id(), reason));
      }
    }
  }

  /** Models of the group other than {@code except} that hold engines (draining ones too). */
  private List<String> loadedInGroup(ModelGroup group, String except, List<EngineSnapshot> all) {
    List<String> loaded = new ArrayList<>();
    for (ModelDeclaration other : declarations.get().models()) {
      if (group.name().equals(other.group())
          && !other.name().equals(except)
          && ModelEngines.holdsEngines(other.name(), all)) {
        loaded.add(other.name());
      }
    }
    return loaded;
  }

  /** The least recently used loaded model with nothing in flight and nobody waiting. */
  private Optional<String> victim(List<String> loaded, List<EngineSnapshot> engines) {
    String best = null;
    Instant bestUsed = null;
    for (String model : loaded) {
      if (!ModelEngines.hasLive(model, engines)
          || ModelEngines.inFlight(model, engines) > 0
          || waiting(model) > 0) {
        continue; // draining already, busy, or wanted
      }
      Instant used = lastUsed.getOrDefault(model, Instant.EPOCH);
      if (best == null || used.isBefore(bestUsed)) {
        best = model;
        bestUsed = used;
      }
    }
    return Optional.ofNullable(best);
  }

  @Override
  public void onTransition(EngineRecord record, EngineEvent event) {
    Optional<String[]> owner = ModelDeclaration.parseLabel(record.spec().label());
    if (owner.isEmpty()) {
      return;
    }
    String model = owner.get()[0];
    switch (event.to()) {
      case STARTING -> startedAt.put(record.id(), event.at());
      case READY -> {
        Instant since = startedAt.remove(record.id());
        lastUsed.merge(model, event.at(), (a, b) -> a.isAfter(b) ? a : b);
        scheduler.execute(() -> releaseAll(model));
        if (since != null) {
          long millis = Duration.between(since, event.at()).toMillis();
          scheduler.execute(() -> loads.record(model, millis, event.at()));
        }
      }
      case ERROR ->
          scheduler.execute(
              () -> failAll(model, "model '" + model + "' failed to load: " + event.reason()));
      case STOPPED -> {
        startedAt.remove(record.id());
        // room may have been made in a group
        scheduler.execute(this::retryPending);
      }
      case DRAINING -> {
        // leaves routing; nothing waits on it
      }
    }
  }

  /** Releases the model's waiting requests, oldest first. */
  void releaseAll(String model) {
    for (CompletableFuture<Void> waiter : takeAll(model)) {
      waiter.complete(null);
    }
  }

  private void failAll(String model, String reason) {
    for (CompletableFuture<Void> waiter : takeAll(model)) {
      waiter.completeExceptionally(new SageException(ErrorCode.NO_READY_ENGINE, reason, "model"));
    }
  }

  private synchronized List<CompletableFuture<Void>> takeAll(String model) {
    Deque<CompletableFuture<Void>> queue = queues.get(model);
    if (queue == null) {
      return List.of();
    }
    List<CompletableFuture<Void>> all = new ArrayList<>(queue);
    queue.clear();
    return all;
  }
}
