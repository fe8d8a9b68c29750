package io.sage.gateway.wiring;

import io.micronaut.context.annotation.Value;
import io.sage.gateway.config.ConfigException;
import io.sage.gateway.config.ModelsFile;
import io.sage.host.DeclaredModels;
import io.sage.host.models.Declarations;
import io.sage.host.models.ModelPlan;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the config file's declared models at start and applies them, then watches the file: when
 * its content changes (checked every second by digest, so editors that replace the file are seen
 * too) the new declarations are applied. A file with any problem is refused whole, logged, and
 * nothing running changes. Other settings of the file take effect at the next start.
 */
@Singleton
public class ModelsFileWatcher {
  private static final Logger LOG = LoggerFactory.getLogger(ModelsFileWatcher.class);

  private final DeclaredModels models;
  private final Path file;
  private ScheduledExecutorService watcher;
  private byte[] seen = new byte[0];

  ModelsFileWatcher(DeclaredModels models, @Value("${sage.config-file:}") String file) {
    this.models = models;
    this.file = file.isBlank() ? null : Path.of(file);
  }

  /** The config file, or null when the gateway runs without one (tests). */
  public Path file() {
    return file;
  }

  /**
   * Applies the file's declarations (or the stored ones when it is refused) and starts watching.
   */
  synchronized void start() {
    Declarations declarations = null;
    if (file != null) {
      seen = digest();
      try {
        declarations = ModelsFile.read(file);
      } catch (ConfigException e) {
        LOG.error("models: {}; the stored declarations stay", e.getMessage());
      }
    }
    report(models.start(declarations));
    if (file != null) {
      watcher =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "sage-config-watch");
                t.setDaemon(true);
                return t;
              });
      watcher.scheduleWithFixedDelay(this::check, 1, 1, TimeUnit.SECONDS);
    }
  }

  /** Reads the file now: the plan of applying it, or the problems that refuse it. */
  public synchronized ModelPlan plan(boolean apply) {
    ModelPlan plan = read(apply);
    return apply ? report(plan) : plan;
  }

  private ModelPlan read(boolean apply) {
    if (file == null) {
      return apply ? models.reconcile() : models.planFile(models.declarations());
    }
    Declarations declarations;
    try {
      declarations = ModelsFile.read(file);
    } catch (ConfigException e) {
      return ModelPlan.refused(e.problems().stream().map(p -> file + ": " + p).toList());
    }
    if (!apply) {
      return models.planFile(declarations);
    }
    seen = digest();
    return models.applyFile(declarations);
  }

  /** The plan of a file's text that is not (yet) the config file; changes nothing. */
  public ModelPlan planText(String text) {
    Path shown = file != null ? file : Path.of("sage.yml");
    try {
      return models.planFile(ModelsFile.parse(shown, text));
    } catch (ConfigException e) {
      return ModelPlan.refused(e.problems());
    }
  }

  private synchronized void check() {
    try {
      byte[] now = digest();
      if (Arrays.equals(now, seen)) {
        return;
      }
      seen = now;
      LOG.info("models: {} changed; applying its declarations", file);
      plan(true);
    } catch (RuntimeException e) {
      LOG.warn("models: watching {} failed", file, e);
    }
  }

  private ModelPlan report(ModelPlan plan) {
    if (plan.refused()) {
      LOG.error("models: file refused, nothing changed: {}", String.join("; ", plan.problems()));
    } else if (plan.actions().isEmpty()) {
      LOG.info("models: engines match the declarations");
    }
    return plan;
  }

  private byte[] digest() {
    try {
      byte[] bytes = Files.exists(file) ? Files.readAllBytes(file) : new byte[0];
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (IOException e) {
      return new byte[] {1};
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @PreDestroy
  synchronized void stop() {
    if (watcher != null) {
      watcher.shutdownNow();
    }
  }
}
