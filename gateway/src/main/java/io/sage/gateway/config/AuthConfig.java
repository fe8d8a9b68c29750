package io.sage.gateway.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.util.List;

/**
 * Who needs a key ({@code sage.auth.*}, docs/security.md).
 *
 * @param inference {@code required} or {@code optional}; empty: required unless the gateway is
 *     bound to a loopback address
 * @param allowInsecure allow binding beyond loopback with inference keys optional
 */
@ConfigurationProperties("sage.auth")
public record AuthConfig(
    @Bindable(defaultValue = "") String inference,
    @Bindable(defaultValue = "false") boolean allowInsecure) {
  public AuthConfig {
    inference = inference == null ? "" : inference.trim().toLowerCase(java.util.Locale.ROOT);
    if (!List.of("", "required", "optional", "disabled").contains(inference)) {
      throw new IllegalArgumentException(
          "auth.inference must be required or optional, got '" + inference + "'");
    }
  }
}
