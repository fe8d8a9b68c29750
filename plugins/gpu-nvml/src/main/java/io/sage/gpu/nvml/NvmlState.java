package io.sage.gpu.nvml;

/** What the one lazy NVML initialisation came to. */
sealed interface NvmlState {

  /** NVML is initialised and answers through {@code library}. */
  record Ready(NvmlLibrary library, String driverVersion) implements NvmlState {}

  /** NVML cannot be used here; {@code reason} is a sentence for operators. */
  record Unavailable(String reason) implements NvmlState {}
}
