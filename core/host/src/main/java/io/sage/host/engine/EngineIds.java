package io.sage.host.engine;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** Engine ids: {@code eng-} and 12 hex digits. Only such ids ever name files or rows. */
public final class EngineIds {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Pattern VALID = Pattern.compile("eng-[0-9a-f]{12}");

  private EngineIds() {}

  public static String next() {
    byte[] bytes = new byte[6];
    RANDOM.nextBytes(bytes);
    return "eng-" + HexFormat.of().formatHex(bytes);
  }

  public static boolean isValid(String id) {
    return id != null && VALID.matcher(id).matches();
  }

  /** A fresh secret for the gateway-to-engine hop. */
  public static String nextEngineKey() {
    byte[] bytes = new byte[24];
    RANDOM.nextBytes(bytes);
    return "sk-engine-" + HexFormat.of().formatHex(bytes);
  }
}
