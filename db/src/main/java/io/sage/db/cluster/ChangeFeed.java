package io.sage.db.cluster;

import io.micronaut.context.annotation.Value;
import io.micronaut.core.annotation.Nullable;
import io.sage.db.DatabaseVendor;
import io.sage.host.store.ClusterChanges;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The database's change feed on PostgreSQL (docs/cluster.md): one connection of its own, outside
 * the pool, that LISTENs on the channels the stores announce their writes on ({@link
 * io.sage.db.DurableWrites#announce}), read by one daemon thread. When the connection breaks (the
 * database stopped, the network gone) the thread connects again every second and, once connected,
 * tells the listeners they may have missed announcements. An idle connection is checked every few
 * seconds, with a socket timeout, so a silent network does not leave it waiting forever. On H2 the
 * feed is inert: one gateway is the database's only writer.
 */
@Singleton
public class ChangeFeed implements ClusterChanges {
  /** Engine rows: the payload is {@code <node id> <engine id>}. */
  public static final String ENGINES = "sage_engines";

  /** API keys: the payload is the key's id. */
  public static final String API_KEYS = "sage_api_keys";

  private static final Logger LOG = LoggerFactory.getLogger(ChangeFeed.class);
  private static final int POLL_MILLIS = 250;
  private static final long CHECK_EVERY_MILLIS = 5_000;
  private static final long RETRY_MILLIS = 1_000;

  private final String url;
  private final String user;
  private final String password;
  private final boolean postgres;
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private volatile boolean closed;
  private Thread thread;

  ChangeFeed(
      @Value("${datasources.default.url:}") @Nullable String url,
      @Value("${datasources.default.username:}") @Nullable String user,
      @Value("${datasources.default.password:}") @Nullable String password) {
    this.url = url == null ? "" : url;
    this.user = user == null ? "" : user;
    this.password = password == null ? "" : password;
    this.postgres = !this.url.isBlank() && DatabaseVendor.of(this.url) == DatabaseVendor.POSTGRESQL;
  }

  @Override
  public synchronized AutoCloseable subscribe(Listener listener) {
    if (!postgres) {
      return () -> {};
    }
    listeners.add(listener);
    if (thread == null && !closed) {
      thread = new Thread(this::run, "sage-change-feed");
      thread.setDaemon(true);
      thread.start();
    }
    return () -> listeners.remove(listener);
  }

  /** Stops the thread and closes its connection. */
  @PreDestroy
  public void close() {
    Thread t;
    synchronized (this) {
      closed = true;
      t = thread;
    }
    if (t != null) {
      t.interrupt();
      try {
        t.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void run() {
    boolean failing = false;
    while (!closed) {
      try (Connection connection = connect()) {
        if (failing) {
          LOG.info("the database's change feed is connected again");
          failing = false;
        }
        for (Listener listener : listeners) {
          call(() -> listener.reconnected());
        }
        listen(connection);
      } catch (SQLException | RuntimeException e) {
        if (closed) {
          return;
        }
        if (!failing) {
          LOG.warn(
              "the database's change feed is disconnected, retrying every second: {}",
              e.getMessage());
          failing = true;
        }
      }
      try {
        Thread.sleep(RETRY_MILLIS);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private Connection connect() throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", user);
    properties.setProperty("password", password);
    properties.setProperty("connectTimeout", "5");
    properties.setProperty("socketTimeout", "10");
    properties.setProperty("tcpKeepAlive", "true");
    properties.setProperty("ApplicationName", "sage change feed");
    Connection connection = DriverManager.getConnection(url, properties);
    try (Statement statement = connection.createStatement()) {
      statement.execute("LISTEN " + ENGINES);
      statement.execute("LISTEN " + API_KEYS);
    } catch (SQLException e) {
      connection.close();
      throw e;
    }
    return connection;
  }

  private void listen(Connection connection) throws SQLException {
    PGConnection pg = connection.unwrap(PGConnection.class);
    long lastCheck = System.nanoTime();
    while (!closed) {
      PGNotification[] notifications = pg.getNotifications(POLL_MILLIS);
      if (notifications != null) {
        for (PGNotification notification : notifications) {
          dispatch(notification.getName(), notification.getParameter());
        }
      }
      if (System.nanoTime() - lastCheck > CHECK_EVERY_MILLIS * 1_000_000) {
        // a network that went silent sends no error: ask, and the socket timeout answers
        try (Statement statement = connection.createStatement()) {
          statement.execute("SELECT 1");
        }
        lastCheck = System.nanoTime();
      }
    }
  }

  private void dispatch(String channel, String payload) {
    String text = payload == null ? "" : payload;
    switch (channel) {
      case ENGINES -> {
        int space = text.indexOf(' ');
        String nodeId = space < 0 ? "" : text.substring(0, space);
        String engineId = space < 0 ? text : text.substring(space + 1);
        for (Listener listener : listeners) {
          call(() -> listener.engineChanged(nodeId, engineId));
        }
      }
      case API_KEYS -> {
        for (Listener listener : listeners) {
          call(listener::apiKeysChanged);
        }
      }
      default -> LOG.debug("ignored a notification on channel {}", channel);
    }
  }

  private static void call(Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      LOG.warn("a listener of the database's change feed failed: {}", e.toString());
    }
  }
}
