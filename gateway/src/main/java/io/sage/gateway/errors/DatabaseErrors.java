package io.sage.gateway.errors;

import io.micronaut.http.HttpResponse;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.util.Optional;
import java.util.Set;

/**
 * Recognises a failure that means the database cannot be reached (stopped, restarting, the network
 * gone) and answers it with 503 and a one-line reason instead of a 500 (docs/cluster.md: the
 * database down). Routing goes on from memory meanwhile; what needs the database waits for it.
 */
final class DatabaseErrors {
  /** PostgreSQL's states for a server shutting down or not accepting connections yet. */
  private static final Set<String> UNAVAILABLE_STATES = Set.of("57P01", "57P02", "57P03");

  /**
   * Micronaut Data's wrappers for a connection it could not get, or could not close (a connection
   * the database dropped fails its rollback and its close), whatever SQL state lies beneath.
   */
  private static final Set<String> CONNECTION_FAILURES =
      Set.of(
          "io.micronaut.data.connection.exceptions.ConnectionException",
          "io.micronaut.data.connection.jdbc.exceptions.CannotGetJdbcConnectionException",
          "io.micronaut.transaction.exceptions.CannotCreateTransactionException");

  private DatabaseErrors() {}

  /** The 503 for a failure caused by an unreachable database; empty for any other failure. */
  static Optional<HttpResponse<?>> unreachable(Throwable failure) {
    Throwable deepest = null;
    boolean connection = false;
    int depth = 0;
    for (Throwable t = failure; t != null && depth < 32; t = t.getCause(), depth++) {
      connection |= isConnectionFailure(t);
      deepest = t;
    }
    if (!connection) {
      return Optional.empty();
    }
    String reason = deepest.getMessage() == null ? deepest.toString() : deepest.getMessage();
    return Optional.<HttpResponse<?>>of(
        OpenAiError.response(
                503,
                "the database is unreachable: "
                    + OpenAiError.shorten(reason.replaceAll("\\s*\\n\\s*", " ").strip(), 400)
                    + "; routing to READY engines goes on, retry the change when it is back",
                "service_unavailable_error",
                "database_unavailable")
            .header("Retry-After", "5"));
  }

  private static boolean isConnectionFailure(Throwable t) {
    if (t instanceof SQLTransientConnectionException
        || t instanceof SQLNonTransientConnectionException
        || t instanceof java.net.ConnectException
        || CONNECTION_FAILURES.contains(t.getClass().getName())) {
      return true;
    }
    if (t instanceof SQLException sql && sql.getSQLState() != null) {
      String state = sql.getSQLState();
      return state.startsWith("08") || UNAVAILABLE_STATES.contains(state);
    }
    return false;
  }
}
