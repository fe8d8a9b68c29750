package io.sage.db.engine;

import java.sql.Connection;
import java.sql.SQLException;
import org.h2.api.Trigger;

/**
 * An H2 trigger that refuses one event, so a test can make the second statement of a transition
 * fail for real and check that the first is rolled back.
 */
public class RefuseEventTrigger implements Trigger {
  static final String REFUSED = "refused by the test trigger";

  @Override
  public void fire(Connection connection, Object[] oldRow, Object[] newRow) throws SQLException {
    if (REFUSED.equals(newRow[4])) {
      throw new SQLException("test trigger refused the event");
    }
  }
}
