package io.sage.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test hosts on one machine: one network namespace per host ({@code ip netns}), each joined by a
 * veth pair to a bridge in the root namespace, with its own IPv4 address on a /24 of its own and
 * {@code lo} up. The root namespace (the test, PostgreSQL) holds the bridge's address ({@link
 * #bridgeAddress()}) and reaches every host; the hosts reach each other and the bridge address.
 *
 * <p>Names carry the test JVM's pid ({@code sage-<pid>-<n><host>}, bridge {@code sgb<pid>-<n>},
 * veths {@code sgv<pid>-<n><host>}), so that {@link #create} first sweeps what a crashed earlier
 * run left (names whose pid is no longer alive) without touching a run in progress. {@link
 * #close()} kills every process left in the namespaces (a kill -9'ed gateway's engines too), then
 * deletes the namespaces and the bridge; a shutdown hook does the same if a run ends without it.
 *
 * <p>Needs root and iproute2's {@code ip} ({@code .ci/run} installs it; CI runs as root).
 */
public final class NetnsHosts implements AutoCloseable {
  private static final Pattern OUR_NAMESPACE = Pattern.compile("sage-(\\d+)-\\d+[a-z]+");
  private static final Pattern OUR_LINK = Pattern.compile("sg[bv](\\d+)-\\d+[a-z]*");
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
  private static final AtomicInteger RUNS = new AtomicInteger();

  /** One test host: its name, its network namespace and its address there. */
  public record Host(String name, String namespace, String address) {
    /** The command prefix that runs a program on this host. */
    public List<String> exec() {
      return List.of(ip(), "netns", "exec", namespace);
    }
  }

  private final String bridge;
  private final String subnet;
  private final Map<String, Host> hosts = new LinkedHashMap<>();
  private final Thread cleanup = new Thread(this::removeQuietly, "netns-hosts-cleanup");
  private boolean closed;

  private NetnsHosts(String bridge, String subnet) {
    this.bridge = bridge;
    this.subnet = subnet;
  }

  /**
   * Sweeps the leftovers of crashed earlier runs, then makes one host per name (lower-case
   * letters).
   *
   * @throws IllegalStateException when not root or {@code ip} is missing, with what to do
   */
  public static NetnsHosts create(String... names) {
    requireRootAndIp();
    sweepLeftovers();
    long pid = ProcessHandle.current().pid();
    int run = RUNS.incrementAndGet();
    NetnsHosts made = new NetnsHosts("sgb" + pid + "-" + run, freeSubnet());
    Runtime.getRuntime().addShutdownHook(made.cleanup);
    try {
      made.up(pid, run, names);
      return made;
    } catch (RuntimeException e) {
      made.close();
      throw new IllegalStateException("cannot make the test hosts: " + e.getMessage(), e);
    }
  }

  private void up(long pid, int run, String... names) {
    ip("link", "add", bridge, "type", "bridge");
    ip("addr", "add", bridgeAddress() + "/24", "dev", bridge);
    ip("link", "set", bridge, "up");
    int last = 10;
    for (String name : names) {
      if (!name.matches("[a-z]{1,2}") || hosts.containsKey(name)) {
        throw new IllegalArgumentException("not a new host name of 1-2 letters: " + name);
      }
      String namespace = "sage-" + pid + "-" + run + name;
      String veth = "sgv" + pid + "-" + run + name;
      Host host = new Host(name, namespace, subnet + "." + (++last));
      ip("netns", "add", namespace);
      hosts.put(name, host);
      ip("link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", namespace);
      ip("link", "set", veth, "master", bridge);
      ip("link", "set", veth, "up");
      ip("-n", namespace, "link", "set", "lo", "up");
      ip("-n", namespace, "addr", "add", host.address() + "/24", "dev", "eth0");
      ip("-n", namespace, "link", "set", "eth0", "up");
    }
  }

  public Host host(String name) {
    Host host = hosts.get(name);
    if (host == null) {
      throw new IllegalArgumentException("no test host " + name + " (have " + hosts.keySet() + ")");
    }
    return host;
  }

  public List<Host> hosts() {
    return List.copyOf(hosts.values());
  }

  /** The root namespace's address on the hosts' network (where PostgreSQL listens). */
  public String bridgeAddress() {
    return subnet + ".1";
  }

  /** The hosts' network, e.g. {@code 10.213.7.0/24}. */
  public String network() {
    return subnet + ".0/24";
  }

  /** The pids of every process whose network namespace is {@code host}'s. */
  public List<Long> processesOn(Host host) {
    List<Long> pids = new ArrayList<>();
    for (String line : ip("netns", "pids", host.namespace()).split("\n")) {
      if (line.strip().matches("\\d+")) {
        pids.add(Long.parseLong(line.strip()));
      }
    }
    return pids;
  }

  /** kill -9 of every process on {@code host}; returns once they are gone, with their number. */
  public int killAllOn(Host host) {
    return killAll(processesOn(host));
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    removeQuietly();
    try {
      Runtime.getRuntime().removeShutdownHook(cleanup);
    } catch (IllegalStateException e) {
      // the JVM is shutting down: the hook runs anyway
    }
  }

  private void removeQuietly() {
    List<String> problems = new ArrayList<>();
    for (Host host : hosts.values()) {
      try {
        killAllOn(host);
        ip("netns", "del", host.namespace());
      } catch (RuntimeException e) {
        problems.add(e.getMessage());
      }
    }
    hosts.clear();
    if (linkExists(bridge)) {
      try {
        ip("link", "del", bridge);
      } catch (RuntimeException e) {
        problems.add(e.getMessage());
      }
    }
    if (!problems.isEmpty()) {
      System.err.println("netns hosts: cleanup problems: " + problems);
    }
  }

  /** Namespaces and links of runs whose JVM is gone: their processes are killed, they deleted. */
  static void sweepLeftovers() {
    for (String line : ip("netns", "list").split("\n")) {
      String name = line.strip().split("\\s+")[0];
      Matcher m = OUR_NAMESPACE.matcher(name);
      if (m.matches() && !alive(Long.parseLong(m.group(1)))) {
        killAll(pidsIn(name));
        ip("netns", "del", name);
      }
    }
    for (String line : ip("-o", "link", "show").split("\n")) {
      String[] fields = line.split(":\\s+", 3);
      if (fields.length < 2) {
        continue;
      }
      String name = fields[1].split("@")[0];
      Matcher m = OUR_LINK.matcher(name);
      if (m.matches() && !alive(Long.parseLong(m.group(1))) && linkExists(name)) {
        ip("link", "del", name);
      }
    }
  }

  private static List<Long> pidsIn(String namespace) {
    List<Long> pids = new ArrayList<>();
    for (String line : ip("netns", "pids", namespace).split("\n")) {
      if (line.strip().matches("\\d+")) {
        pids.add(Long.parseLong(line.strip()));
      }
    }
    return pids;
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  private static int killAll(List<Long> pids) {
    List<ProcessHandle> handles = new ArrayList<>();
    for (long pid : pids) {
      ProcessHandle.of(pid).ifPresent(handles::add);
    }
    handles.forEach(ProcessHandle::destroyForcibly);
    for (ProcessHandle handle : handles) {
      try {
        handle.onExit().get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        // a zombie whose parent is gone is reaped by init; the namespace goes with the last one
      }
    }
    return handles.size();
  }

  private static boolean linkExists(String name) {
    return Files.exists(Path.of("/sys/class/net", name));
  }

  /** A 10.213.X.0/24 that no interface of the root namespace has an address on. */
  private static String freeSubnet() {
    String used = ip("-4", "-o", "addr", "show") + ip("-4", "route", "show");
    SecureRandom random = new SecureRandom();
    for (int attempt = 0; attempt < 50; attempt++) {
      String subnet = "10.213." + (1 + random.nextInt(254));
      if (!used.contains(subnet + ".")) {
        return subnet;
      }
    }
    throw new IllegalStateException("no free 10.213.X.0/24 for the test hosts");
  }

  private static void requireRootAndIp() {
    if (ipPath() == null) {
      throw new IllegalStateException(
          "the cluster tests need iproute2's ip command (apt-get install iproute2; .ci/run"
              + " installs it)");
    }
    if (!isRoot()) {
      throw new IllegalStateException(
          "the cluster tests make network namespaces and need root (CI runs as root); this JVM"
              + " runs as "
              + System.getProperty("user.name"));
    }
  }

  private static boolean isRoot() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          return line.split("\\s+")[2].equals("0"); // the effective uid
        }
      }
    } catch (IOException e) {
      // fall through
    }
    return "root".equals(System.getProperty("user.name"));
  }

  private static String ipPath() {
    for (String candidate : List.of("/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip")) {
      if (Files.isExecutable(Path.of(candidate))) {
        return candidate;
      }
    }
    return null;
  }

  static String ip() {
    String path = ipPath();
    if (path == null) {
      throw new IllegalStateException("iproute2's ip command is missing");
    }
    return path;
  }

  /** Runs {@code ip args...} and returns its output; fails with the output on a non-zero exit. */
  static String ip(String... args) {
    List<String> command = new ArrayList<>();
    command.add(ip());
    command.addAll(List.of(args));
    try {
      Path out = Files.createTempFile("sage-ip-", ".txt");
      try {
        Process process =
            new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        if (!process.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
          process.destroyForcibly();
          throw new IllegalStateException(String.join(" ", command) + " did not finish");
        }
        String output = Files.readString(out, StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
          throw new IllegalStateException(
              String.join(" ", command)
                  + " failed (exit "
                  + process.exitValue()
                  + "): "
                  + output.strip());
        }
        return output;
      } finally {
        Files.deleteIfExists(out);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + String.join(" ", command) + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + String.join(" ", command), e);
    }
  }
}
