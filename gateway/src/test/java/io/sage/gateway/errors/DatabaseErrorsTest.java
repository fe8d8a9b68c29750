package io.sage.gateway.errors;

import static org.assertj.core.api.Assertions.assertThat;

import io.micronaut.http.HttpResponse;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DatabaseErrorsTest {

  @SuppressWarnings("unchecked")
  private static Map<String, Object> error(HttpResponse<?> response) {
    return (Map<String, Object>) ((Map<String, Object>) response.body()).get("error");
  }

  @Test
  void aPoolThatCannotConnectIsA503NamingTheDatabasesReasonInOneLine() {
    SQLException refused =
        new SQLException(
            "Connection to db.example:5432 refused.\nCheck that the hostname and port are correct",
            "08001");
    RuntimeException failure =
        new RuntimeException(
            "Could not open JDBC Connection for transaction",
            new SQLTransientConnectionException(
                "HikariPool-1 - Connection is not available, request timed out after 3000ms",
                refused));

    HttpResponse<?> response = DatabaseErrors.unreachable(failure).orElseThrow();

    assertThat(response.getStatus().getCode()).isEqualTo(503);
    assertThat(response.getHeaders().get("Retry-After")).isEqualTo("5");
    Map<String, Object> error = error(response);
    assertThat(error.get("message").toString())
        .startsWith("the database is unreachable: Connection to db.example:5432 refused.")
        .doesNotContain("\n")
        .doesNotContain("at io.");
    assertThat(error).containsEntry("type", "service_unavailable_error");
    assertThat(error).containsEntry("code", "database_unavailable");
  }

  @Test
  void aServerShuttingDownCountsAsUnreachable() {
    SQLException shutdown = new SQLException("terminating connection", "57P01");
    assertThat(DatabaseErrors.unreachable(new IllegalStateException("write failed", shutdown)))
        .isPresent();
  }

  @Test
  void aConnectionThatCouldNotBeClosedAfterTheDatabaseWentAwayCountsAsUnreachable() {
    SQLException closed = new SQLException("An I/O error occurred while sending to the backend.");
    assertThat(
            DatabaseErrors.unreachable(
                new io.micronaut.data.connection.exceptions.ConnectionException(
                    "Failed to close the connection: " + closed.getMessage(), closed)))
        .hasValueSatisfying(
            r ->
                assertThat(error(r).get("message").toString())
                    .isEqualTo(
                        "the database is unreachable: An I/O error occurred while sending to the"
                            + " backend.; routing to READY engines goes on, retry the change when"
                            + " it is back"));
  }

  @Test
  void otherFailuresAreNotTheDatabaseBeingDown() {
    assertThat(DatabaseErrors.unreachable(new IllegalStateException("a bug"))).isEmpty();
    SQLException duplicate = new SQLException("duplicate key", "23505");
    assertThat(DatabaseErrors.unreachable(new RuntimeException(duplicate))).isEmpty();
  }
}
