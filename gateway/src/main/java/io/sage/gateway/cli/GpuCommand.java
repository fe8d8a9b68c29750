package io.sage.gateway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code sage llm gpu}: the GPU provider and its devices with memory reserved for engines. */
@Command(
    name = "gpu",
    mixinStandardHelpOptions = true,
    description =
        "Show the GPU provider and its GPUs: memory, utilization, temperature, power, engines placed.",
    footer = {
      "",
      "Examples:",
      "  sage llm gpu",
      "  sage llm gpu --json | jq '.gpus[].memory_free_mib'"
    })
final class GpuCommand implements Callable<Integer> {
  @Mixin ClientOptions client;

  @Override
  public Integer call() {
    JsonNode answer = client.call(() -> client.management().gpu());
    if (client.json()) {
      client.printJson(answer);
    } else {
      client.print(EngineFormat.gpus(answer, client.ansi()));
    }
    return SageCli.OK;
  }
}
