package io.sage.gateway.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code sage completion bash|zsh}: a shell completion script for the whole command tree, generated
 * by picocli from the same annotations the CLI parses with. zsh runs the bash script through its
 * {@code bashcompinit} layer.
 */
@Command(
    name = "completion",
    mixinStandardHelpOptions = true,
    description = "Print a shell completion script for sage (bash or zsh).",
    footer = {
      "",
      "Examples:",
      "  source <(sage completion bash)              # this shell",
      "  sage completion bash > /etc/bash_completion.d/sage",
      "  sage completion zsh > \"${fpath[1]}/_sage\"  # or: source <(sage completion zsh)"
    })
final class CompletionCommand implements Callable<Integer> {
  enum Shell {
    bash,
    zsh
  }

  @Spec CommandSpec spec;

  @Parameters(paramLabel = "SHELL", description = "bash or zsh.")
  Shell shell;

  @Override
  public Integer call() {
    String script = AutoComplete.bash("sage", spec.root().commandLine());
    String prefix =
        switch (shell) {
          case bash -> "";
          case zsh ->
              "#compdef sage\n"
                  + "autoload -U +X compinit && compinit\n"
                  + "autoload -U +X bashcompinit && bashcompinit\n";
        };
    spec.commandLine().getOut().print(prefix + script);
    spec.commandLine().getOut().flush();
    return SageCli.OK;
  }
}
