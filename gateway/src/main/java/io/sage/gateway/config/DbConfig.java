package io.sage.gateway.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.util.Locale;

/**
 * Where the gateway's store lives ({@code sage.db.*}, docs/operations.md, docs/cluster.md). The
 * password is never a setting of its own, so it never appears on a command line or in a process
 * listing: it comes from the environment ({@code SAGE_DB_PASSWORD}) or from {@code password-file}.
 *
 * @param url empty: the embedded H2 file in the data dir; {@code jdbc:postgresql://HOST:PORT/DB}:
 *     that PostgreSQL database, which several gateways may share
 * @param user the database user (PostgreSQL only)
 * @param passwordFile a file holding the database password (its first line), read at start
 */
@ConfigurationProperties("sage.db")
public record DbConfig(
    @Bindable(defaultValue = "") String url,
    @Bindable(defaultValue = "") String user,
    @Bindable(defaultValue = "") String passwordFile) {
  public DbConfig {
    url = url == null ? "" : url.trim();
    user = user == null ? "" : user.trim();
    passwordFile = passwordFile == null ? "" : passwordFile.trim();
    if (!url.isEmpty() && !url.toLowerCase(Locale.ROOT).startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException(
          "db.url must be empty (H2 in the data dir) or a PostgreSQL JDBC URL"
              + " (jdbc:postgresql://HOST:PORT/DATABASE), got '"
              + url
              + "'");
    }
    if (url.toLowerCase(Locale.ROOT).contains("password=")) {
      throw new IllegalArgumentException(
          "db.url must not carry the password: set SAGE_DB_PASSWORD or db.password-file");
    }
    if (url.isEmpty() && (!user.isEmpty() || !passwordFile.isEmpty())) {
      throw new IllegalArgumentException(
          "db.user and db.password-file need db.url (the embedded H2 database has neither)");
    }
  }

  /** Whether the store is a PostgreSQL database rather than the embedded H2 file. */
  public boolean external() {
    return !url.isEmpty();
  }
}
