package io.sage.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class CliPiecesTest {
  @Test
  void tableAlignsColumnsIgnoringColourCodes() {
    Ansi ansi = new Ansi(true);
    List<String> lines =
        new Table("A", "STATE", "Z")
            .row("long-value", ansi.state("READY"), "x")
            .row("s", ansi.state("STOPPED"), null)
            .render(Ansi.PLAIN);
    assertThat(lines.get(0)).isEqualTo("A           STATE    Z");
    assertThat(lines.get(1)).isEqualTo("long-value  \u001B[32mREADY\u001B[0m    x");
    assertThat(lines.get(2)).isEqualTo("s           \u001B[2mSTOPPED\u001B[0m  -");
  }

  @Test
  void truncationNeverCutsInsideAColourEscape() {
    Ansi ansi = new Ansi(true);
    String line = "engine " + ansi.state("STARTING") + " waiting for health";
    for (int columns = 0; columns <= Ansi.visibleLength(line); columns++) {
      String cut = Ansi.truncate(line, columns);
      assertThat(Ansi.visibleLength(cut)).as("columns %d", columns).isEqualTo(columns);
      // every escape that starts is whole: removing whole escapes leaves no ESC behind
      assertThat(cut.replaceAll("\u001B\\[[0-9;]*m", "")).doesNotContain("\u001B");
    }
    assertThat(Ansi.truncate(line, 9)).isEqualTo("engine \u001B[33mST\u001B[0m");
    StringWriter terminal = new StringWriter();
    new ProgressLine(new PrintWriter(terminal), true, 14).update(line, "x");
    assertThat(terminal.toString()).isEqualTo("\rengine \u001B[33mSTA\u001B[0m...");
  }

  @Test
  void pipedProgressPrintsOnlyChangesAndTerminalProgressRedrawsInPlace() {
    StringWriter piped = new StringWriter();
    ProgressLine plain = new ProgressLine(new PrintWriter(piped), false, 80);
    plain.update("STARTING 1s", "STARTING");
    plain.update("STARTING 2s", "STARTING");
    plain.update("READY 3s", "READY");
    plain.finish();
    assertThat(piped.toString()).isEqualTo("STARTING 1s\nREADY 3s\n");

    StringWriter terminal = new StringWriter();
    ProgressLine live = new ProgressLine(new PrintWriter(terminal), true, 20);
    live.update("STARTING 1.0s long log line that is cut", "x");
    live.update("READY 2s", "y");
    live.finish();
    assertThat(terminal.toString())
        .isEqualTo("\rSTARTING 1.0s lo...\rREADY 2s" + " ".repeat(11) + "\n");
  }

  @Test
  void agesAndElapsedTimesReadNaturally() {
    Instant now = Instant.parse("2025-01-01T10:00:00Z");
    assertThat(EngineFormat.ago(now.minusSeconds(5), now)).isEqualTo("5s");
    assertThat(EngineFormat.ago(now.minusSeconds(600), now)).isEqualTo("10m");
    assertThat(EngineFormat.ago(now.minusSeconds(3 * 86400), now)).isEqualTo("3d");
    assertThat(EngineFormat.elapsed(Duration.ofMillis(4210))).isEqualTo("4.2s");
    assertThat(EngineFormat.elapsed(Duration.ofSeconds(65))).isEqualTo("1m05s");
  }

  private static io.sage.client.management.EngineInfo engine(String id, String node) {
    com.fasterxml.jackson.databind.node.ObjectNode json =
        new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
    json.put("id", id).put("model", "m").put("state", "READY");
    if (node != null) {
      json.put("node_id", node);
    }
    return io.sage.client.management.EngineInfo.fromJson(json);
  }

  @Test
  void theEngineListShowsEachEnginesNodeOnlyWhenThereAreSeveral() {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    List<String> one =
        EngineFormat.list(
            List.of(engine("eng-1", "node-a"), engine("eng-2", "node-a")), Ansi.PLAIN, now);
    assertThat(one.get(0)).startsWith("ID ").doesNotContain("NODE");

    List<String> two =
        EngineFormat.list(
            List.of(engine("eng-1", "node-a"), engine("eng-2", "node-b")), Ansi.PLAIN, now);
    assertThat(two.get(0)).matches("ID\\s+NODE\\s+MODEL.*");
    assertThat(two.get(1)).matches("eng-1\\s+node-a\\s+m\\s.*");
    assertThat(two.get(2)).matches("eng-2\\s+node-b\\s+m\\s.*");
  }

  @Test
  void theGatewayProcessParsesItsArgumentsWithTheStartCommandAlone() {
    assertThat(SageCli.isGatewayProcess(new String[] {"gateway", "start", "--foreground"}))
        .isTrue();
    assertThat(SageCli.isGatewayProcess(new String[] {"gateway", "start", "--port", "1"}))
        .isFalse();
    assertThat(SageCli.isGatewayProcess(new String[] {"gateway", "start"})).isFalse();
    picocli.CommandLine cli = SageCli.gatewayProcess();
    picocli.CommandLine.ParseResult parsed =
        cli.parseArgs("--foreground", "--data-dir", "/tmp/x", "--port", "9001", "--demo");
    assertThat(parsed.matchedOptionValue("--port", 0)).isEqualTo(9001);
    assertThat(parsed.hasMatchedOption("--demo")).isTrue();
    assertThat(cli.getCommandName()).isEqualTo("sage gateway start");
    StringWriter err = new StringWriter();
    cli.setErr(new PrintWriter(err));
    assertThat(cli.execute("--foreground", "--no-such-option")).isEqualTo(SageCli.USAGE);
    assertThat(err.toString()).contains("Unknown option: '--no-such-option'");
  }
}
