package io.sage.gateway.security;

import io.micronaut.context.event.ShutdownEvent;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.runtime.event.annotation.EventListener;
import io.sage.gateway.config.NodeConfig;
import io.sage.gateway.limits.KeyLimitBook;
import io.sage.host.store.ClusterChanges;
import jakarta.inject.Singleton;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the API keys and their limits the same on every node of one database (docs/cluster.md):
 * they are read again when the database announces that a node created, revoked or limited a key
 * (within a second), when the announcements come back after an outage, and every {@code
 * node.refresh-interval} in case one was missed. A read that fails (the database is down) keeps the
 * keys as they were: requests go on being authenticated from memory.
 */
@Singleton
final class SharedKeys implements ClusterChanges.Listener {
  private static final Logger LOG = LoggerFactory.getLogger(SharedKeys.class);

  private final ApiKeys keys;
  private final KeyLimitBook limits;
  private final ClusterChanges changes;
  private final NodeConfig node;
  private final AtomicBoolean failing = new AtomicBoolean();
  private AutoCloseable subscription;
  private ScheduledExecutorService timer;

  SharedKeys(ApiKeys keys, KeyLimitBook limits, ClusterChanges changes, NodeConfig node) {
    this.keys = keys;
    this.limits = limits;
    this.changes = changes;
    this.node = node;
  }

  @EventListener
  synchronized void onStartup(StartupEvent event) {
    subscription = changes.subscribe(this);
    timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "sage-key-refresh");
              t.setDaemon(true);
              return t;
            });
    long period = node.refreshInterval().toMillis();
    timer.scheduleWithFixedDelay(this::reload, period, period, TimeUnit.MILLISECONDS);
  }

  @EventListener
  synchronized void onShutdown(ShutdownEvent event) {
    if (timer != null) {
      timer.shutdownNow();
    }
    if (subscription != null) {
      try {
        subscription.close();
      } catch (Exception e) {
        LOG.debug("key change subscription did not close: {}", e.toString());
      }
    }
  }

  @Override
  public void apiKeysChanged() {
    reload();
  }

  @Override
  public void reconnected() {
    reload();
  }

  void reload() {
    try {
      // a key's limits are written after the key, and announced on their own: the next reload
      // brings them when this one came too early
      limits.reload();
      keys.reload();
    } catch (RuntimeException e) {
      if (failing.compareAndSet(false, true)) {
        LOG.warn(
            "cannot read the API keys from the database (the keys known stay valid): {}",
            e.getMessage());
      }
      return;
    }
    if (failing.compareAndSet(true, false)) {
      LOG.info("API keys are read from the database again");
    }
  }
}
