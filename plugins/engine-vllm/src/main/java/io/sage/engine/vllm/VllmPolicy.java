package io.sage.engine.vllm;

import io.sage.spi.engine.EngineSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * What the machine's operator lets gateway admins launch, set in the gateway's environment (an
 * admin key cannot change it). By default an admin may run any executable as {@code vllm_command}
 * and pass every allow-listed flag, including ones that run the model repository's code; these two
 * settings narrow that:
 *
 * <ul>
 *   <li>{@value #ALLOWED_COMMANDS}: a comma-separated list of the only {@code vllm_command} values
 *       accepted (as written, e.g. {@code /opt/vllm/bin/vllm}); {@code SAGE_VLLM_COMMAND} and the
 *       default {@code vllm} stay usable.
 *   <li>{@value #REFUSE_RISKY_FLAGS}{@code =true}: refuses flags that run remote code or read and
 *       write files the admin names ({@link #RISKY_FLAGS}) and models given as local paths.
 * </ul>
 */
final class VllmPolicy {
  static final String ALLOWED_COMMANDS = "SAGE_VLLM_ALLOWED_COMMANDS";
  static final String REFUSE_RISKY_FLAGS = "SAGE_VLLM_REFUSE_RISKY_FLAGS";

  static final Set<String> RISKY_FLAGS =
      Set.of(
          "--trust-remote-code",
          "--chat-template",
          "--generation-config",
          "--download-dir",
          "--tokenizer");

  private VllmPolicy() {}

  static List<String> problems(EngineSpec spec, Function<String, String> environment) {
    List<String> problems = new ArrayList<>();
    String allowed = environment.apply(ALLOWED_COMMANDS);
    String command = spec.options().get(VllmOptions.VLLM_COMMAND);
    if (allowed != null && !allowed.isBlank() && command != null) {
      List<String> commands = new ArrayList<>();
      for (String entry : allowed.split(",")) {
        if (!entry.isBlank()) {
          commands.add(entry.trim());
        }
      }
      if (!commands.contains(command.trim())) {
        problems.add(
            "option vllm_command must be one of the commands the operator allows ("
                + ALLOWED_COMMANDS
                + "): "
                + String.join(", ", commands));
      }
    }
    String refuse = environment.apply(REFUSE_RISKY_FLAGS);
    if (refuse != null && refuse.trim().toLowerCase(Locale.ROOT).equals("true")) {
      for (String argument : spec.extraArgs()) {
        int equals = argument.indexOf('=');
        String flag = equals > 0 ? argument.substring(0, equals) : argument;
        if (RISKY_FLAGS.contains(flag)) {
          problems.add(
              "extra argument "
                  + flag
                  + " is refused on this gateway ("
                  + REFUSE_RISKY_FLAGS
                  + ")");
        }
      }
      String model = spec.model();
      if (model.startsWith("/") || model.startsWith(".") || model.startsWith("~")) {
        problems.add(
            "model must be a repository name, not a local path, on this gateway ("
                + REFUSE_RISKY_FLAGS
                + ")");
      }
    }
    return problems;
  }
}
