package io.sage.gateway.observability;

import io.sage.gateway.config.MetricsConfig;
import io.sage.gateway.config.UsageConfig;
import io.sage.gateway.openai.ProxyCall;
import io.sage.gateway.openai.ProxyListener;
import jakarta.inject.Singleton;
import java.nio.ByteBuffer;

/**
 * Keeps the {@link UsageTail} of every proxied response, once, for whoever reads the tokens at the
 * end (request metrics, usage accounting): one bounded copy per chunk however many readers there
 * are. Off when neither {@code sage.metrics.tokens} nor {@code sage.usage.enabled} wants tokens.
 */
@Singleton
final class UsageTap implements ProxyListener {
  private final boolean enabled;

  UsageTap(MetricsConfig metrics, UsageConfig usage) {
    this.enabled = (metrics.enabled() && metrics.tokens()) || usage.enabled();
  }

  @Override
  public boolean wantsBody(ProxyCall call) {
    return enabled;
  }

  @Override
  public void onBody(ProxyCall call, ByteBuffer chunk) {
    ((UsageTail) call.attributes().computeIfAbsent(UsageTail.ATTRIBUTE, k -> new UsageTail()))
        .append(chunk);
  }
}
