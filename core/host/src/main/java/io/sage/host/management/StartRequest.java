package io.sage.host.management;

import java.util.List;
import java.util.Map;

/** A launch request as the API received it, before validation; any field may be null. */
public record StartRequest(
    String model,
    String engineKind,
    String runtime,
    Integer port,
    Integer tensorParallelSize,
    List<Integer> gpuIds,
    Boolean useGpu,
    String servedModelName,
    String label,
    List<String> extraArgs,
    Map<String, String> options) {}
