package io.sage.host.port;

import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Hands out engine ports from a range that never includes the gateway's own port. A port is
 * reserved for its engine (held in memory) from the moment it is handed out until the engine stops,
 * so two concurrent starts never get the same one; a bind test skips ports that other programs
 * listen on.
 */
public final class PortAllocator {
  private final int first;
  private final int last;
  private final Set<Integer> excluded;
  private final String bindHost;
  private final Map<Integer, String> owners = new HashMap<>();
  private int next;

  public PortAllocator(int first, int last, Set<Integer> excluded, String bindHost) {
    if (first < 1024 || last > 65535 || first > last) {
      throw new IllegalArgumentException(
          "engine port range must lie within 1024-65535, got " + first + "-" + last);
    }
    this.first = first;
    this.last = last;
    this.excluded = Set.copyOf(excluded);
    this.bindHost = bindHost;
    this.next = first;
  }

  /** Reserves a free port from the range for {@code engineId}. */
  public synchronized int allocate(String engineId) {
    int size = last - first + 1;
    for (int i = 0; i < size; i++) {
      int port = next;
      next = next == last ? first : next + 1;
      if (!owners.containsKey(port) && !excluded.contains(port) && isFree(port)) {
        owners.put(port, engineId);
        return port;
      }
    }
    throw new SageException(
        ErrorCode.PORT_IN_USE,
        "no free engine port left in " + first + "-" + last + " for engine " + engineId,
        "port");
  }

  /** Reserves the port an operator asked for, or fails with 409 when it is taken. */
  public synchronized int reserve(String engineId, int port) {
    if (port < 1024 || port > 65535) {
      throw SageException.invalid("port", "port must be between 1024 and 65535, got " + port);
    }
    if (excluded.contains(port)) {
      throw new SageException(
          ErrorCode.PORT_IN_USE, "port " + port + " is the gateway's own port", "port");
    }
    String owner = owners.get(port);
    if (engineId.equals(owner)) {
      return port;
    }
    if (owner != null || !isFree(port)) {
      throw new SageException(
          ErrorCode.PORT_IN_USE,
          "port "
              + port
              + " is already in use"
              + (owner == null ? "" : " by engine " + owner)
              + "; choose another port or leave it out",
          "port");
    }
    owners.put(port, engineId);
    return port;
  }

  /**
   * The engine's previous port when nothing listens on it, else a fresh one. Its own reservation is
   * bind-tested too: its process is gone (this is a relaunch), so a listener there is another
   * program (another gateway's engine on the same host took it), and relaunching on it would fail
   * the same way every time.
   */
  public synchronized int reacquire(String engineId, int port) {
    String owner = owners.get(port);
    if (engineId.equals(owner)) {
      if (isFree(port)) {
        return port;
      }
      owners.remove(port, engineId);
      return allocate(engineId);
    }
    if (owner == null && !excluded.contains(port) && isFree(port)) {
      owners.put(port, engineId);
      return port;
    }
    return allocate(engineId);
  }

  /** Marks a port as held by an adopted engine (no bind test: the engine itself listens on it). */
  public synchronized void hold(String engineId, int port) {
    owners.put(port, engineId);
  }

  public synchronized void release(String engineId, int port) {
    owners.remove(port, engineId);
  }

  private boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      // SO_REUSEADDR so that connections in TIME_WAIT from a killed engine do not count as a
      // listener
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getByName(bindHost), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
