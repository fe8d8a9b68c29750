package io.sage.engine.vllm;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The allow-list for an engine's {@code extra_args}. The gateway runs vLLM without a shell, but an
 * argument list is still a way in: a flag could rebind the server to every interface, replace the
 * API key, or smuggle a value that argparse reads as another flag. So only known flags pass, the
 * flags the gateway sets itself are refused, and no value may start with '-'.
 */
final class VllmArguments {
  /** Flags followed by one value, as {@code --flag value} or {@code --flag=value}. */
  static final Set<String> WITH_VALUE =
      Set.of(
          "--max-model-len",
          "--dtype",
          "--quantization",
          "--max-num-seqs",
          "--swap-space",
          "--kv-cache-dtype",
          "--seed",
          "--max-num-batched-tokens",
          "--block-size",
          "--chat-template",
          "--tokenizer",
          "--tokenizer-mode",
          "--revision",
          "--download-dir",
          "--load-format",
          "--pipeline-parallel-size",
          "--generation-config",
          "--task",
          "--runner",
          "--convert",
          "--max-logprobs",
          "--cpu-offload-gb",
          "--tool-call-parser",
          "--reasoning-parser");

  /** Flags among {@link #WITH_VALUE} whose value is a whole number. */
  static final Set<String> WHOLE_NUMBER_VALUED =
      Set.of(
          "--max-num-seqs",
          "--seed",
          "--max-num-batched-tokens",
          "--block-size",
          "--pipeline-parallel-size",
          "--max-logprobs");

  /** Switches that take no value. */
  static final Set<String> SWITCHES =
      Set.of(
          "--enforce-eager",
          "--enable-prefix-caching",
          "--no-enable-prefix-caching",
          "--trust-remote-code",
          "--disable-log-requests",
          "--disable-log-stats",
          "--enable-chunked-prefill",
          "--no-enable-chunked-prefill",
          "--enable-auto-tool-choice");

  /** Flags the gateway sets from the engine spec; an extra argument must not override them. */
  static final Map<String, String> GATEWAY_OWNED =
      Map.of(
          "--host", "the engine's bind address",
          "--port", "the port it reserved",
          "--api-key", "the engine's API key",
          "--served-model-name", "served_model_name",
          "--tensor-parallel-size", "tensor_parallel_size",
          "--gpu-memory-utilization", "option gpu_memory_utilization",
          "--model", "model");

  private VllmArguments() {}

  /** Every problem with the arguments, each naming the argument at fault; empty when fine. */
  static List<String> problems(List<String> args) {
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (hasControlCharacter(arg)) {
        problems.add("extra_args[" + i + "] contains a control character");
        continue;
      }
      if (!arg.startsWith("--")) {
        problems.add(
            "extra_args["
                + i
                + "] '"
                + arg
                + "' is not a flag: extra_args takes"
                + " allow-listed vLLM flags such as --max-model-len 4096");
        continue;
      }
      int equals = arg.indexOf('=');
      String flag = equals < 0 ? arg : arg.substring(0, equals);
      String owner = GATEWAY_OWNED.get(flag);
      if (owner != null) {
        problems.add(
            "extra_args flag " + flag + " is not allowed: the gateway sets it from " + owner);
        if (equals < 0 && i + 1 < args.size() && !args.get(i + 1).startsWith("-")) {
          i++; // its value; one problem per refused flag is enough
        }
      } else if (SWITCHES.contains(flag)) {
        if (equals >= 0) {
          problems.add("extra_args flag " + flag + " takes no value");
        }
      } else if (WITH_VALUE.contains(flag)) {
        String value;
        if (equals >= 0) {
          value = arg.substring(equals + 1);
        } else if (i + 1 < args.size()) {
          value = args.get(++i);
        } else {
          problems.add("extra_args flag " + flag + " needs a value");
          continue;
        }
        if (value.isBlank() || value.startsWith("-") || hasControlCharacter(value)) {
          problems.add(
              "extra_args flag "
                  + flag
                  + " needs a value that is not empty, does not"
                  + " start with '-' and has no control characters");
        } else if (WHOLE_NUMBER_VALUED.contains(flag) && !value.matches("[0-9]{1,9}")) {
          problems.add("extra_args flag " + flag + " needs a whole number, got '" + value + "'");
        }
      } else {
        problems.add(
            "extra_args flag "
                + flag
                + " is not in the vLLM allow-list (allowed: "
                + String.join(", ", sorted())
                + ")");
      }
    }
    return problems;
  }

  /** The value given to {@code flag}, if the (already valid) arguments set it. */
  static Optional<String> valueOf(List<String> args, String flag) {
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (arg.startsWith(flag + "=")) {
        return Optional.of(arg.substring(flag.length() + 1));
      }
      if (arg.equals(flag) && i + 1 < args.size()) {
        return Optional.of(args.get(i + 1));
      }
    }
    return Optional.empty();
  }

  static boolean hasControlCharacter(String value) {
    return value.chars().anyMatch(Character::isISOControl);
  }

  private static List<String> sorted() {
    List<String> all = new ArrayList<>(WITH_VALUE);
    all.addAll(SWITCHES);
    all.sort(null);
    return all;
  }
}
