package io.sage.host;

import io.sage.host.models.Declarations;
import io.sage.host.models.ModelDeclaration;
import io.sage.host.models.ModelPlan;
import io.sage.host.models.ModelPlanner;
import io.sage.host.models.ModelStatus;
import io.sage.host.models.Models;
import io.sage.host.models.Origin;
import io.sage.host.models.Replicas;
import io.sage.host.store.ModelStore;
import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The declared models (issue 16), the second way into the control plane beside {@link
 * ControlPlane}: declarations from the config file and the API, plans and their application, the
 * on-demand wait, and the models' states. Engines of declared models are ordinary engines, launched
 * and stopped through the {@link ControlPlane} facade; engines started by hand are never touched.
 */
public final class DeclaredModels implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DeclaredModels.class);

  private final ControlPlane controlPlane;
  private final ModelStore store;
  private final Models models;
  private final Replicas replicas;
  private volatile Declarations current = Declarations.NONE;
  private List<ModelStore.Row> stored = List.of();

  /** The declarations applied by this node alone, to its own engines (one gateway, H2). */
  public DeclaredModels(ControlPlane controlPlane, ModelStore store) {
    this(controlPlane, store, Replicas.local(controlPlane));
  }

  /**
   * @param replicas the engines the declarations are applied to: this node's, or the cluster's,
   *     where only the leader applies them (docs/cluster.md)
   */
  public DeclaredModels(ControlPlane controlPlane, ModelStore store, Replicas replicas) {
    this.controlPlane = controlPlane;
    this.store = store;
    this.replicas = replicas;
    this.models = new Models(controlPlane, store, () -> current, replicas, this::refresh);
  }

  /**
   * Loads the stored declarations, merges the file's (when it is valid, else they stay as stored)
   * and reconciles the engines; then starts the timers (idle unload, swaps, scaling). Call after
   * {@link ControlPlane#start()}.
   */
  public synchronized ModelPlan start(Declarations file) {
    stored = unstamped(store.findAll());
    current = models.load();
    controlPlane.addListener(models.listener());
    ModelPlan plan = file == null ? apply(current) : applyFile(file);
    models.startTimers();
    return plan;
  }

  public Declarations declarations() {
    return current;
  }

  /** What applying {@code file} would do; changes nothing. */
  public synchronized ModelPlan planFile(Declarations file) {
    return plan(current.withFile(file));
  }

  /** Applies the file's declarations (the file wins for the models it names). */
  public synchronized ModelPlan applyFile(Declarations file) {
    return apply(current.withFile(file));
  }

  /**
   * Adds or replaces an API declaration; 409 for a model the config file declares, 400 for a group
   * that is not declared (groups come from the config file only).
   */
  public synchronized ModelPlan put(ModelDeclaration declaration) {
    String group = declaration.group();
    if (group != null && current.group(group).isEmpty()) {
      throw SageException.invalid(
          "group",
          "group '"
              + group
              + "' is not declared; groups are declared only in the config file's groups:"
              + " section, so declare it there first (declared: "
              + (current.groups().isEmpty()
                  ? "none"
                  : String.join(", ", current.groups().stream().map(g -> g.name()).toList()))
              + ")");
    }
    Optional<ModelDeclaration> existing = current.model(declaration.name());
    if (existing.isPresent() && existing.get().origin() == Origin.FILE) {
      throw new SageException(
          ErrorCode.ILLEGAL_STATE,
          "model '"
              + declaration.name()
              + "' is declared in the config file; change it there (the file wins)",
          "name");
    }
    return applyOrRefuse(current.with(declaration));
  }

  /** Removes an API declaration (its engines drain and stop); 404/409 as for {@link #put}. */
  public synchronized ModelPlan delete(String name) {
    ModelDeclaration existing =
        current
            .model(name)
            .orElseThrow(
                () ->
                    new SageException(
                        ErrorCode.NOT_FOUND, "model '" + name + "' is not declared", "name"));
    if (existing.origin() == Origin.FILE) {
      throw new SageException(
          ErrorCode.ILLEGAL_STATE,
          "model '" + name + "' is declared in the config file; remove it there",
          "name");
    }
    return applyOrRefuse(current.without(name));
  }

  /** Reconciles the engines with the current declarations. */
  public synchronized ModelPlan reconcile() {
    return apply(current);
  }

  /**
   * With a shared store: re-reads the stored declarations (another node may have changed them),
   * and, while this node leads, reconciles them with every node's engines. Called by the tick.
   */
  synchronized void refresh() {
    List<ModelStore.Row> now = unstamped(store.findAll());
    if (!now.equals(stored)) {
      stored = now;
      current = models.load();
      LOG.info(
          "models: the stored declarations changed; {} model(s) declared", current.models().size());
    }
    if (!replicas.leads()) {
      return;
    }
    ModelPlan plan = plan(current);
    if (!plan.refused()) {
      models.applyPeriodic(plan, current);
    }
  }

  private static List<ModelStore.Row> unstamped(List<ModelStore.Row> rows) {
    return rows.stream()
        .map(r -> new ModelStore.Row(r.kind(), r.name(), r.origin(), r.fields(), null))
        .toList();
  }

  /** The model a request names (by name or alias), if it is declared. */
  public Optional<ModelDeclaration> resolve(String asked) {
    return current.resolve(asked);
  }

  /**
   * Completes once the model has a READY engine, launching one when none is on its way; see {@link
   * io.sage.host.models.ModelBusyException} for a full queue.
   */
  public CompletableFuture<Void> awaitReady(ModelDeclaration declaration) {
    return models.awaitReady(declaration);
  }

  /** Every declared model with its state, in declaration order. */
  public List<ModelStatus> statuses() {
    List<EngineSnapshot> engines = replicas.known();
    List<ModelStatus> out = new ArrayList<>();
    for (ModelDeclaration d : current.models()) {
      out.add(models.status(d, engines));
    }
    return out;
  }

  public Optional<ModelStatus> status(String name) {
    return current.model(name).map(d -> models.status(d, replicas.known()));
  }

  /** Why the model's last rolling update stopped, if it did. */
  public Optional<String> rolloutError(String name) {
    return models.rolloutError(name);
  }

  /** Whether an engine was launched for a declaration (its label says so). */
  public static boolean isDeclared(EngineSnapshot engine) {
    return ModelPlanner.declaredBy(engine).isPresent();
  }

  @Override
  public void close() {
    models.close();
  }

  private ModelPlan plan(Declarations next) {
    List<String> problems = next.problems(controlPlane.runtimeKinds());
    if (!problems.isEmpty()) {
      return ModelPlan.refused(problems);
    }
    return ModelPlanner.plan(next, replicas.engines());
  }

  private ModelPlan applyOrRefuse(Declarations next) {
    ModelPlan plan = plan(next);
    if (plan.refused()) {
      throw SageException.invalid("models", String.join("; ", plan.problems()));
    }
    return apply(next);
  }

  private ModelPlan apply(Declarations next) {
    ModelPlan plan = plan(next);
    if (plan.refused()) {
      LOG.error("models: declarations refused, nothing changed: {}", plan.problems());
      return plan;
    }
    models.save(next);
    stored = unstamped(store.findAll());
    current = next;
    if (replicas.leads()) {
      models.apply(plan, next);
    } else {
      LOG.info("models: declarations stored; the cluster's leader applies them");
    }
    return plan;
  }
}
