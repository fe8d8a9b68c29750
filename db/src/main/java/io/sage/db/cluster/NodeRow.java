package io.sage.db.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import io.sage.host.cluster.Node;
import io.sage.host.cluster.NodeGpu;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One row of {@code nodes}. The GPUs are JSON written by a private mapper, so the HTTP API's JSON
 * settings never change what is stored.
 */
@MappedEntity(value = "nodes", escape = false)
record NodeRow(
    @Id String id,
    String address,
    String version,
    String gpusJson,
    Instant startedAt,
    Instant lastSeenAt) {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<List<Map<String, Object>>> GPUS = new TypeReference<>() {};

  static NodeRow of(Node node) {
    List<Map<String, Object>> gpus =
        node.gpus().stream()
            .map(
                gpu ->
                    Map.<String, Object>of(
                        "index", gpu.index(),
                        "name", gpu.name(),
                        "memory_total_mib", gpu.memoryTotalMib()))
            .toList();
    try {
      return new NodeRow(
          node.id(),
          node.address(),
          node.version(),
          JSON.writeValueAsString(gpus),
          node.startedAt(),
          node.lastSeenAt());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("node " + node.id() + ": cannot write its GPUs", e);
    }
  }

  Node toNode() {
    try {
      List<NodeGpu> gpus =
          JSON.readValue(gpusJson, GPUS).stream()
              .map(
                  gpu ->
                      new NodeGpu(
                          ((Number) gpu.get("index")).intValue(),
                          String.valueOf(gpu.get("name")),
                          ((Number) gpu.get("memory_total_mib")).longValue()))
              .toList();
      return new Node(id, address, version, gpus, startedAt, lastSeenAt);
    } catch (JsonProcessingException | RuntimeException e) {
      throw new IllegalStateException("node " + id + ": its stored GPUs are unreadable", e);
    }
  }
}
