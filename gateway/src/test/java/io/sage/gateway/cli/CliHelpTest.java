package io.sage.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CliHelpTest {
  /** Every command path of the tree, e.g. [gateway, start]. */
  private static List<List<String>> paths(CommandLine command, List<String> prefix) {
    List<List<String>> all = new ArrayList<>();
    all.add(prefix);
    for (Map.Entry<String, CommandLine> sub : command.getSubcommands().entrySet()) {
      if (!sub.getKey().equals(sub.getValue().getCommandName())) {
        continue; // an alias
      }
      List<String> path = new ArrayList<>(prefix);
      path.add(sub.getKey());
      all.addAll(paths(sub.getValue(), path));
    }
    return all;
  }

  @Test
  void helpOnEveryCommandAndSubcommandExitsZeroWithUsage() {
    List<List<String>> paths = paths(SageCli.commandLine(), List.of());
    assertThat(paths).hasSizeGreaterThan(20);
    for (List<String> path : paths) {
      for (String flag : List.of("--help", "-h")) {
        List<String> args = new ArrayList<>(path);
        args.add(flag);
        CliRun run = CliRun.run(Map.of(), args.toArray(String[]::new));
        assertThat(run.exitCode()).as("sage %s: %s", args, run.err()).isZero();
        assertThat(run.out()).as("sage %s", args).contains("Usage: sage");
      }
    }
  }

  @Test
  void aLeanCommandLineShowsEveryCommandExactlyAsTheWholeTreeDoes() {
    List<List<String>> paths = paths(SageCli.commandLine(), List.of());
    int lean = 0;
    for (List<String> path : paths) {
      if (path.isEmpty() || SageCli.leanCommand(path.get(0)) == null) {
        continue;
      }
      lean++;
      String[] args = path.toArray(String[]::new);
      CommandLine whole = SageCli.commandLine();
      CommandLine only = SageCli.commandLine(CliEnvironment.system(), args);
      assertThat(only.getSubcommands()).as("lean %s", path).hasSize(1);
      for (String name : path) {
        whole = whole.getSubcommands().get(name);
        only = only.getSubcommands().get(name);
      }
      assertThat(only.getUsageMessage()).as("sage %s", path).isEqualTo(whole.getUsageMessage());
      assertThat(only.getCommandSpec().qualifiedName())
          .isEqualTo(whole.getCommandSpec().qualifiedName());
    }
    assertThat(lean).isGreaterThan(20);
    assertThat(SageCli.leanCommand("completion")).isNull();
    assertThat(SageCli.leanCommand("help")).isNull();
    assertThat(SageCli.leanCommand("gatewayx")).isNull();
    // an error names the same argument index as with the whole tree
    CliRun stray = CliRun.run(Map.of(), "gateway", "status", "stray");
    assertThat(stray.exitCode()).isEqualTo(SageCli.USAGE);
    assertThat(stray.err()).contains("index 2");
  }

  @Test
  void versionNamesTheBuildAndCompletionCoversTheTree() {
    CliRun version = CliRun.run(Map.of(), "--version");
    assertThat(version.exitCode()).isZero();
    assertThat(version.out()).startsWith("sage ").contains("(commit ");
    CliRun bash = CliRun.run(Map.of(), "completion", "bash");
    assertThat(bash.exitCode()).isZero();
    assertThat(bash.out()).contains("complete -F").contains("gateway").contains("chat");
    CliRun zsh = CliRun.run(Map.of(), "completion", "zsh");
    assertThat(zsh.out()).startsWith("#compdef sage").contains("bashcompinit");
    assertThat(CliRun.run(Map.of(), "completion", "fish").exitCode()).isEqualTo(SageCli.USAGE);
  }
}
