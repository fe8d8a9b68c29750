package io.sage.gateway.management;

import io.micronaut.context.annotation.Value;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.server.types.files.StreamedFile;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.transaction.TransactionOperations;
import io.sage.gateway.security.Actors;
import io.sage.host.ControlPlane;
import io.sage.host.store.SecretKeys;
import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

/**
 * {@code POST /v1/management/backup}: a consistent copy of the live database as a zip, taken with
 * H2's online {@code BACKUP TO} (transactionally consistent under load: MVStore backs up a
 * snapshot), streamed to the caller and removed from the gateway's disk afterwards. {@code sage
 * backup} saves it; {@code sage restore} puts it into a data dir.
 */
@Controller("/v1/management/backup")
@ExecuteOn(TaskExecutors.BLOCKING)
class BackupController {
  static final MediaType ZIP = MediaType.of("application/zip");
  private final TransactionOperations<Connection> transactions;
  private final ControlPlane manager;
  private final SecretKeys secrets;
  private final boolean embedded;
  private final Path dataDir;

  BackupController(
      TransactionOperations<Connection> transactions,
      ControlPlane manager,
      SecretKeys secrets,
      @Value("${datasources.default.url:}") String url,
      @Value("${sage.data-dir}") String dataDir) {
    this.dataDir = Path.of(dataDir);
    this.transactions = transactions;
    this.manager = manager;
    this.secrets = secrets;
    this.embedded = url == null || url.isBlank() || url.startsWith("jdbc:h2:");
  }

  @Post(consumes = MediaType.ALL, produces = "application/zip")
  HttpResponse<StreamedFile> backup() throws IOException {
    String actor = Actors.current();
    if (!embedded) {
      // a shared PostgreSQL is backed up where it runs, not through one of its gateways
      throw new SageException(
          ErrorCode.ILLEGAL_STATE,
          "this gateway's store is PostgreSQL: back it up with pg_dump (and keep secret.key with"
              + " it); sage backup covers the embedded H2 database only (docs/cluster.md)");
    }
    Path zip = Files.createTempFile("sage-backup-", ".zip");
    Files.delete(zip); // H2 creates the file itself
    try {
      transactions.executeRead(status -> backupTo(status.getConnection(), zip));
      addKeyFile(zip);
      addNodeId(zip);
    } catch (RuntimeException | IOException e) {
      Files.deleteIfExists(zip);
      manager.audit(actor, "gateway.backup", null, "error", e.getMessage());
      throw new SageException(ErrorCode.INTERNAL, "backup failed: " + e.getMessage());
    }
    long size = Files.size(zip);
    manager.audit(actor, "gateway.backup", null, "ok", size + " bytes");
    InputStream in = new DeletingInputStream(zip);
    return HttpResponse.ok(new StreamedFile(in, ZIP))
        .header("Content-Disposition", "attachment; filename=\"sage-backup.zip\"")
        .contentLength(size);
  }

  /**
   * The stored engine secrets are encrypted with {@code secret.key} (docs/security.md): a backup
   * without it could not be read, so the zip (owner-only, like the data dir) carries it too.
   */
  private void addKeyFile(Path zip) throws IOException {
    Optional<Path> key = secrets.secretKeyFile();
    if (key.isEmpty() || !Files.exists(key.get())) {
      return;
    }
    try (FileSystem archive = FileSystems.newFileSystem(zip)) {
      Files.copy(key.get(), archive.getPath(SecretKeys.FILE_NAME));
    }
  }

  /**
   * The registry's engines belong to this node's id (docs/cluster.md): a restore without it would
   * start as a new node that owns none of them.
   */
  private void addNodeId(Path zip) throws IOException {
    Path nodeId = dataDir.resolve(io.sage.gateway.wiring.NodeIds.FILE_NAME);
    if (!Files.exists(nodeId)) {
      return;
    }
    try (FileSystem archive = FileSystems.newFileSystem(zip)) {
      Files.copy(nodeId, archive.getPath(io.sage.gateway.wiring.NodeIds.FILE_NAME));
    }
  }

  private static Void backupTo(Connection connection, Path zip) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      // the path is ours (a temp file), never user input; H2's BACKUP takes no parameters
      statement.execute("BACKUP TO '" + zip.toString().replace("'", "''") + "'");
    }
    return null;
  }

  /** Removes the temporary zip once the response has been written (or abandoned). */
  private static final class DeletingInputStream extends FilterInputStream {
    private final Path file;

    DeletingInputStream(Path file) throws IOException {
      super(Files.newInputStream(file));
      this.file = file;
    }

    @Override
    public void close() throws IOException {
      try {
        super.close();
      } finally {
        Files.deleteIfExists(file);
      }
    }
  }
}
