package io.sage.spi.job;

import java.util.List;
import java.util.Objects;

/**
 * The scheduler as the status page shows it.
 *
 * @param reachable whether the last command reached the scheduler
 * @param detail a sentence: version and partitions, or why it is unreachable
 * @param nodes the nodes with their GPUs, as the scheduler reports them
 */
public record SchedulerStatus(boolean reachable, String detail, List<Node> nodes) {
  public SchedulerStatus {
    Objects.requireNonNull(detail, "detail");
    nodes = nodes == null ? List.of() : List.copyOf(nodes);
  }

  /**
   * One node.
   *
   * @param name node name
   * @param state the scheduler's state word ({@code idle}, {@code mixed}, {@code down}, ...)
   * @param gres generic resources configured ({@code gpu:2})
   * @param gresUsed generic resources allocated now ({@code gpu:1})
   */
  public record Node(String name, String state, String gres, String gresUsed) {}
}
