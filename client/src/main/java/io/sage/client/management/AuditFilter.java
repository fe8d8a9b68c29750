package io.sage.client.management;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.StringJoiner;

/** Which audit entries to fetch; null fields do not filter. */
public record AuditFilter(
    Integer limit, Integer offset, String action, String actor, String target) {

  public static final AuditFilter ALL = new AuditFilter(null, null, null, null, null);

  public AuditFilter {
    if (limit != null && limit < 1) {
      throw new IllegalArgumentException("audit limit must be >= 1, got " + limit);
    }
    if (offset != null && offset < 0) {
      throw new IllegalArgumentException("audit offset must be >= 0, got " + offset);
    }
  }

  public AuditFilter withLimit(int newLimit) {
    return new AuditFilter(newLimit, offset, action, actor, target);
  }

  public AuditFilter withOffset(int newOffset) {
    return new AuditFilter(limit, newOffset, action, actor, target);
  }

  public AuditFilter withAction(String newAction) {
    return new AuditFilter(limit, offset, newAction, actor, target);
  }

  public AuditFilter withActor(String newActor) {
    return new AuditFilter(limit, offset, action, newActor, target);
  }

  public AuditFilter withTarget(String newTarget) {
    return new AuditFilter(limit, offset, action, actor, newTarget);
  }

  /** The query string, starting with {@code ?}, or empty when nothing filters. */
  String toQuery() {
    StringJoiner query = new StringJoiner("&", "?", "").setEmptyValue("");
    add(query, "limit", limit);
    add(query, "offset", offset);
    add(query, "action", action);
    add(query, "actor", actor);
    add(query, "target", target);
    return query.toString();
  }

  private static void add(StringJoiner query, String name, Object value) {
    if (value != null) {
      query.add(name + "=" + URLEncoder.encode(value.toString(), StandardCharsets.UTF_8));
    }
  }
}
