package io.sage.db.secret;

import io.micronaut.context.event.StartupEvent;
import io.micronaut.runtime.event.annotation.EventListener;
import io.sage.db.engine.JdbcEngineStore;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Encrypts, at startup, secrets that a version before encryption stored in plain text. */
@Singleton
final class SecretsAtStartup {
  private static final Logger LOG = LoggerFactory.getLogger(SecretsAtStartup.class);
  private final JdbcEngineStore store;

  SecretsAtStartup(JdbcEngineStore store) {
    this.store = store;
  }

  @EventListener
  void onStartup(StartupEvent event) {
    int sealed = store.resealSecrets();
    if (sealed > 0) {
      LOG.info("encrypted the stored secrets of {} engine(s)", sealed);
    }
  }
}
