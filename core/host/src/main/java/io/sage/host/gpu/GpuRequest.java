package io.sage.host.gpu;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

/**
 * What one engine asks of the GPUs.
 *
 * @param explicitIds GPU indexes the operator named ({@code gpu_ids}); empty for best fit
 * @param count how many GPUs best fit must find ({@code tensor_parallel_size}); with explicit ids
 *     their number
 * @param need memory on each GPU
 */
public record GpuRequest(List<Integer> explicitIds, int count, GpuMemoryNeed need) {
  public GpuRequest {
    explicitIds = explicitIds == null ? List.of() : List.copyOf(explicitIds);
    Objects.requireNonNull(need, "need");
    if (new LinkedHashSet<>(explicitIds).size() != explicitIds.size()) {
      throw new IllegalArgumentException("gpu_ids must not repeat a GPU: " + explicitIds);
    }
    if (!explicitIds.isEmpty()) {
      count = explicitIds.size();
    }
    if (count < 1) {
      throw new IllegalArgumentException("count must be >= 1, got " + count);
    }
  }

  public boolean isExplicit() {
    return !explicitIds.isEmpty();
  }
}
