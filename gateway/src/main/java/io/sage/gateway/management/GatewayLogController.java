package io.sage.gateway.management;

import io.micronaut.context.annotation.Value;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.sage.gateway.wiring.GatewayPaths;
import io.sage.spi.ErrorCode;
import io.sage.spi.SageException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code GET /v1/management/gateway/logs?tail=N&follow=true}: the gateway's own log (the file that
 * {@code sage gateway start} has logback write), like an engine's logs: the last lines, then, when
 * following, every new line once and in order until the client leaves.
 */
@Controller("/v1/management/gateway")
class GatewayLogController {
  private final Path logFile;

  GatewayLogController(@Value("${sage.data-dir}") String dataDir) {
    this.logFile = GatewayPaths.logFile(Path.of(dataDir));
  }

  @Get(value = "/logs", produces = MediaType.TEXT_PLAIN)
  HttpResponse<?> logs(
      @QueryValue(defaultValue = "100") String tail,
      @QueryValue(defaultValue = "false") String follow) {
    int n = EngineController.boundedInt("tail", tail, 1, 10000);
    boolean following = EngineController.flag("follow", follow);
    if (!Files.exists(logFile)) {
      throw new SageException(
          ErrorCode.NOT_FOUND,
          "this gateway writes no log file (it runs in the foreground and logs to its console)",
          null);
    }
    List<String> lines = tail(n);
    if (following) {
      return HttpResponse.ok()
          .contentType(MediaType.TEXT_PLAIN_TYPE)
          .header("Cache-Control", "no-cache")
          .body(LogFollower.follow(logFile, lines, text -> text));
    }
    String text = lines.isEmpty() ? "" : String.join("\n", lines) + "\n";
    return HttpResponse.ok(text).contentType(MediaType.TEXT_PLAIN_TYPE);
  }

  private List<String> tail(int n) {
    try {
      List<String> all =
          new String(Files.readAllBytes(logFile), StandardCharsets.UTF_8).lines().toList();
      return List.copyOf(all.subList(Math.max(0, all.size() - n), all.size()));
    } catch (IOException e) {
      throw new SageException(
          ErrorCode.INTERNAL,
          "cannot read the gateway log " + logFile + ": " + e.getMessage(),
          null);
    }
  }
}
