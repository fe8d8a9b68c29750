package io.sage.gateway.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * This gateway as a node of the gateways sharing one database ({@code sage.node.*},
 * docs/cluster.md).
 *
 * @param id the node id; empty: made once ({@code <host name>-<6 hex digits>}) and kept in {@code
 *     <data-dir>/node.id}
 * @param address the URL other nodes and clients reach this gateway at; empty: {@code
 *     http://<server.host>:<server.port>}, with the machine's host name when bound to a wildcard
 * @param heartbeatInterval how often the node writes that it is alive
 * @param lostAfter a node silent this long is listed as lost
 * @param goneAfter a node silent this long is gone for good: the leader fails its engines ("node
 *     &lt;id&gt; lost")
 * @param leaderLease how long the leader's lease runs without a renewal: leadership moves within
 *     about this plus the renew interval of the leader's death
 * @param leaderRenewInterval how often the leader renews its lease and the others try for it
 * @param commandPollInterval how often the node reads the commands other nodes wrote for it
 * @param refreshInterval how often the other nodes' engines and the API keys are read again from
 *     the database, besides the announcements of each change (docs/cluster.md)
 */
@ConfigurationProperties("sage.node")
public record NodeConfig(
    @Bindable(defaultValue = "") String id,
    @Bindable(defaultValue = "") String address,
    @Bindable(defaultValue = "5s") Duration heartbeatInterval,
    @Bindable(defaultValue = "30s") Duration lostAfter,
    @Bindable(defaultValue = "5m") Duration goneAfter,
    @Bindable(defaultValue = "6s") Duration leaderLease,
    @Bindable(defaultValue = "2s") Duration leaderRenewInterval,
    @Bindable(defaultValue = "500ms") Duration commandPollInterval,
    @Bindable(defaultValue = "3s") Duration refreshInterval) {
  public NodeConfig {
    id = id == null ? "" : id.trim();
    address = address == null ? "" : address.trim();
    if (!id.isEmpty()) {
      io.sage.host.cluster.Node.requireValidId(id);
    }
    if (!address.isEmpty() && !address.matches("https?://[^/\\s]+/?")) {
      throw new IllegalArgumentException(
          "node.address must be http://HOST:PORT or https://HOST:PORT, got '" + address + "'");
    }
    ConfigChecks.positive("node.heartbeat-interval", heartbeatInterval);
    ConfigChecks.positive("node.lost-after", lostAfter);
    ConfigChecks.positive("node.gone-after", goneAfter);
    ConfigChecks.positive("node.leader-lease", leaderLease);
    ConfigChecks.positive("node.leader-renew-interval", leaderRenewInterval);
    ConfigChecks.positive("node.command-poll-interval", commandPollInterval);
    if (goneAfter.compareTo(lostAfter) <= 0) {
      throw new IllegalArgumentException(
          "node.gone-after must be longer than node.lost-after, got "
              + goneAfter
              + " and "
              + lostAfter);
    }
    if (leaderLease.compareTo(leaderRenewInterval.multipliedBy(2)) < 0) {
      throw new IllegalArgumentException(
          "node.leader-lease must be at least twice node.leader-renew-interval, got "
              + leaderLease
              + " and "
              + leaderRenewInterval);
    }
    ConfigChecks.positive("node.refresh-interval", refreshInterval);
    if (lostAfter.compareTo(heartbeatInterval.multipliedBy(2)) < 0) {
      throw new IllegalArgumentException(
          "node.lost-after must be at least twice node.heartbeat-interval, got "
              + lostAfter
              + " and "
              + heartbeatInterval);
    }
  }
}
