package io.sage.gateway.wiring;

import io.sage.host.cluster.Node;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;

/**
 * This gateway's node id: {@code node.id} when set, else the one kept in {@code
 * <data-dir>/node.id}, made at the first start from the host name and six random hex digits. Kept
 * in the data dir because the engines the node owns are recorded under it: a gateway restarted on
 * the same data dir is the same node and adopts them.
 */
public final class NodeIds {
  /** The file in the data dir. */
  public static final String FILE_NAME = "node.id";

  private NodeIds() {}

  /** The configured id, else the data dir's (made and written when absent). */
  public static String resolve(Path dataDir, String configured) {
    if (configured != null && !configured.isBlank()) {
      return Node.requireValidId(configured.trim());
    }
    Path file = dataDir.resolve(FILE_NAME);
    try {
      if (Files.exists(file)) {
        String kept = Files.readString(file, StandardCharsets.US_ASCII).trim();
        try {
          return Node.requireValidId(kept);
        } catch (IllegalArgumentException e) {
          throw new IllegalStateException(file + " is damaged: " + e.getMessage());
        }
      }
      String made = hostPart() + "-" + HexFormat.of().formatHex(random(3));
      DataDirs.writePrivate(file, made + "\n");
      return made;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or write the node id file " + file, e);
    }
  }

  private static String hostPart() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      host = "node";
    }
    String cleaned =
        host.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.-]", "-").replaceAll("^[^a-z0-9]+", "");
    if (cleaned.isEmpty()) {
      cleaned = "node";
    }
    return cleaned.length() > 50 ? cleaned.substring(0, 50) : cleaned;
  }

  private static byte[] random(int bytes) {
    byte[] random = new byte[bytes];
    new SecureRandom().nextBytes(random);
    return random;
  }
}
