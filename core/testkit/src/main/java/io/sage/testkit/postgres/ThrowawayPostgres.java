package io.sage.testkit.postgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.UserPrincipal;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL cluster for one test run: {@code initdb} into a temporary folder, {@code pg_ctl
 * start} on a free loopback port, password authentication over TCP, removed again by {@link #close}
 * (and by a shutdown hook if a test run ends without closing it). Uses Debian's {@code postgresql}
 * package ({@code /usr/lib/postgresql/<version>/bin}, or {@code SAGE_PG_BIN}); {@code .ci/run}
 * installs it when missing. {@code initdb} refuses to run as root, so as root the server runs as
 * the {@code postgres} user, which then owns the folder.
 */
public final class ThrowawayPostgres implements AutoCloseable {
  /** The superuser the cluster is made with; its password is random per cluster. */
  public static final String USER = "sage";

  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(120);
  private static volatile ThrowawayPostgres shared;

  private final Path bin;
  private final Path root;
  private final Path data;
  private final String password;
  private final boolean asPostgresUser;
  private final Thread cleanup;
  private final String listenAddress;
  private final String allowedNetwork;
  private int port;
  private volatile boolean running;

  private ThrowawayPostgres(Path bin, String listenAddress, String allowedNetwork)
      throws IOException {
    this.bin = bin;
    this.listenAddress = listenAddress;
    this.allowedNetwork = allowedNetwork;
    this.asPostgresUser = "root".equals(System.getProperty("user.name"));
    this.root = Files.createTempDirectory("sage-pg-");
    this.data = root.resolve("data");
    byte[] random = new byte[18];
    new SecureRandom().nextBytes(random);
    this.password = HexFormat.of().formatHex(random);
    this.cleanup = new Thread(this::stopAndRemove, "sage-pg-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
  }

  /** Whether this machine has PostgreSQL's server binaries. */
  public static boolean available() {
    return findBin() != null;
  }

  /**
   * Starts a new cluster; the caller closes it.
   *
   * @throws IllegalStateException when PostgreSQL is not installed or does not start
   */
  public static ThrowawayPostgres start() {
    return start(null, null);
  }

  /**
   * Starts a new cluster that also listens on {@code listenAddress} (besides loopback) and accepts
   * password logins from {@code allowedNetwork} (CIDR, e.g. {@code 10.1.2.0/24}): for gateways on
   * other test hosts (network namespaces). The JDBC URLs then name {@code listenAddress}.
   */
  public static ThrowawayPostgres start(String listenAddress, String allowedNetwork) {
    if ((listenAddress == null) != (allowedNetwork == null)) {
      throw new IllegalArgumentException("a listen address needs an allowed network, and back");
    }
    if (listenAddress != null
        && !(listenAddress.matches("[0-9.]+") && allowedNetwork.matches("[0-9.]+/\\d{1,2}"))) {
      throw new IllegalArgumentException(
          "not an IPv4 address and network: " + listenAddress + ", " + allowedNetwork);
    }
    Path bin = findBin();
    if (bin == null) {
      throw new IllegalStateException(
          "PostgreSQL's server is not installed (no /usr/lib/postgresql/*/bin/initdb):"
              + " apt-get install postgresql, or set SAGE_PG_BIN");
    }
    ThrowawayPostgres postgres;
    try {
      postgres = new ThrowawayPostgres(bin, listenAddress, allowedNetwork);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot make a folder for PostgreSQL", e);
    }
    try {
      postgres.initAndStart();
      return postgres;
    } catch (RuntimeException | IOException e) {
      postgres.close();
      throw new IllegalStateException("PostgreSQL did not start: " + e.getMessage(), e);
    }
  }

  /** One cluster for the whole test JVM, started on first use, removed when the JVM exits. */
  public static synchronized ThrowawayPostgres shared() {
    if (shared == null || !shared.running) {
      shared = start();
    }
    return shared;
  }

  /** The loopback port it listens on. */
  public int port() {
    return port;
  }

  /** The superuser's password (give it to the gateway through the environment or a file). */
  public String password() {
    return password;
  }

  /** The folder holding the cluster (its log is {@code postgres.log} there). */
  public Path root() {
    return root;
  }

  /** The JDBC URL of {@code database} (at the extra listen address when there is one). */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://"
        + (listenAddress == null ? "127.0.0.1" : listenAddress)
        + ":"
        + port
        + "/"
        + database;
  }

  /** Creates an empty database and returns its JDBC URL. */
  public String createDatabase(String database) {
    if (!database.matches("[a-z][a-z0-9_]{0,62}")) {
      throw new IllegalArgumentException("not a plain database name: " + database);
    }
    run(
        List.of(
            bin.resolve("createdb").toString(),
            "-h",
            "127.0.0.1",
            "-p",
            "" + port,
            "-U",
            USER,
            database),
        true);
    return jdbcUrl(database);
  }

  /** Creates a database with a fresh unique name and returns its JDBC URL. */
  public String createDatabase() {
    byte[] random = new byte[6];
    new SecureRandom().nextBytes(random);
    return createDatabase("t" + HexFormat.of().formatHex(random));
  }

  /**
   * Starts the server again after {@link #stop}, on the same port with the same data: a database
   * that comes back.
   */
  public synchronized void restart() {
    if (!running) {
      run(startCommand(), true);
      running = true;
    }
  }

  /** Stops the server at once ({@code immediate}: no checkpoint), keeping its files. */
  public void stop() {
    if (running) {
      run(pgCtl("-m", "immediate", "stop"), false);
      running = false;
    }
  }

  /** Whether the server is running (started and not stopped). */
  public boolean running() {
    return running;
  }

  @Override
  public void close() {
    stopAndRemove();
    try {
      Runtime.getRuntime().removeShutdownHook(cleanup);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down: the hook runs anyway
    }
  }

  private void initAndStart() throws IOException {
    Path pwfile = root.resolve("pwfile");
    Files.writeString(pwfile, password + "\n", StandardCharsets.US_ASCII);
    if (asPostgresUser) {
      UserPrincipal postgres =
          root.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
      Files.setOwner(root, postgres);
      Files.setOwner(pwfile, postgres);
    }
    run(
        List.of(
            bin.resolve("initdb").toString(),
            "-D",
            data.toString(),
            "-U",
            USER,
            "--pwfile=" + pwfile,
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "--encoding=UTF8",
            "--no-locale"),
        true);
    Files.delete(pwfile);
    if (allowedNetwork != null) {
      Files.writeString(
          data.resolve("pg_hba.conf"),
          "host all all " + allowedNetwork + " scram-sha-256\n",
          StandardCharsets.US_ASCII,
          java.nio.file.StandardOpenOption.APPEND);
    }
    IllegalStateException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      port = freePort();
      try {
        run(startCommand(), true);
        running = true;
        return;
      } catch (IllegalStateException e) {
        last = e; // the port was taken in between: try another
      }
    }
    throw last;
  }

  private List<String> startCommand() {
    String addresses = listenAddress == null ? "127.0.0.1" : "127.0.0.1," + listenAddress;
    return pgCtl(
        "-l",
        root.resolve("postgres.log").toString(),
        "-o",
        "-p "
            + port
            + " -c listen_addresses="
            + addresses
            + " -k "
            + root
            // tests need no crash safety of the cluster itself: it is thrown away
            + " -c fsync=off -c full_page_writes=off -c max_connections=300",
        "start");
  }

  private List<String> pgCtl(String... args) {
    List<String> command = new ArrayList<>();
    command.add(bin.resolve("pg_ctl").toString());
    command.addAll(List.of("-D", data.toString(), "-w", "-t", "60"));
    command.addAll(List.of(args));
    return command;
  }

  private synchronized void stopAndRemove() {
    if (running) {
      try {
        stop();
      } catch (RuntimeException e) {
        killPostmaster();
      }
    }
    deleteTree(root);
  }

  /** The last resort when pg_ctl fails: the postmaster's pid is the first line of its pid file. */
  private void killPostmaster() {
    try {
      Path pidFile = data.resolve("postmaster.pid");
      if (Files.exists(pidFile)) {
        long pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
      }
    } catch (IOException | RuntimeException e) {
      // nothing more to try; the folder is removed next
    }
    running = false;
  }

  private String run(List<String> command, boolean mustSucceed) {
    List<String> full = new ArrayList<>();
    if (asPostgresUser) {
      full.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    full.addAll(command);
    ProcessBuilder builder = new ProcessBuilder(full).redirectErrorStream(true);
    Map<String, String> env = builder.environment();
    env.put("PGPASSWORD", password);
    env.put("LC_ALL", "C");
    try {
      Path out = Files.createTempFile("sage-pg-cmd-", ".log");
      try {
        builder.redirectOutput(out.toFile());
        Process process = builder.start();
        if (!process.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
          process.destroyForcibly();
          throw new IllegalStateException(
              String.join(" ", command) + " did not finish in " + COMMAND_TIMEOUT);
        }
        String output = Files.readString(out, StandardCharsets.UTF_8);
        if (mustSucceed && process.exitValue() != 0) {
          throw new IllegalStateException(
              command.get(0) + " failed (exit " + process.exitValue() + "): " + output.strip());
        }
        return output;
      } finally {
        Files.deleteIfExists(out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command.get(0), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + command.get(0), e);
    }
  }

  private static Path findBin() {
    String configured = System.getenv("SAGE_PG_BIN");
    if (configured != null && Files.isExecutable(Path.of(configured, "initdb"))) {
      return Path.of(configured);
    }
    Path versions = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(versions)) {
      return null;
    }
    try (Stream<Path> children = Files.list(versions)) {
      return children
          .filter(dir -> dir.getFileName().toString().matches("\\d+"))
          .max(Comparator.comparingInt(dir -> Integer.parseInt(dir.getFileName().toString())))
          .map(dir -> dir.resolve("bin"))
          .filter(dir -> Files.isExecutable(dir.resolve("initdb")))
          .orElse(null);
    } catch (IOException e) {
      return null;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try {
      Files.walkFileTree(
          dir,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.deleteIfExists(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
              Files.deleteIfExists(d);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      // a test run must not fail on cleanup; the folder is under the temp dir
    }
  }
}
