package io.sage.gateway.cli;

import picocli.CommandLine.Command;

/** {@code sage llm ...}: engines and GPUs of a running gateway. */
@Command(
    name = "llm",
    mixinStandardHelpOptions = true,
    description = "Manage the engines and look at the GPUs of a running gateway.",
    subcommands = {EngineCommand.class, GpuCommand.class},
    footer = {
      "",
      "Examples:",
      "  sage llm engine list",
      "  sage llm engine start Qwen/Qwen2.5-0.5B-Instruct --runtime mock",
      "  sage llm gpu"
    })
final class LlmCommand {}
