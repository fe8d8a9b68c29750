package io.sage.gateway.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sage backup}: asks the running gateway for a consistent copy of its database (H2's online
 * backup, safe under load) and saves it, owner-only, as a zip that {@code sage restore} takes.
 */
@Command(
    name = "backup",
    mixinStandardHelpOptions = true,
    description =
        "Save a consistent copy of the running gateway's database (engines, keys, sessions).",
    footer = {
      "",
      "Examples:",
      "  sage backup",
      "  sage backup --out /srv/backups/sage-$(date +%F).zip"
    })
final class BackupCommand implements Callable<Integer> {
  @Mixin ClientOptions client;

  @Option(
      names = {"-o", "--out"},
      paramLabel = "FILE",
      description = "Where to write the zip (default: sage-backup-<time>.zip here).")
  Path out;

  @Override
  public Integer call() throws Exception {
    Path target =
        out != null
            ? out
            : Path.of(
                "sage-backup-"
                    + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
                    + ".zip");
    target = target.toAbsolutePath().normalize();
    if (Files.isDirectory(target)) {
      throw new CliException(SageCli.USAGE, target + " is a directory; name the zip file to write");
    }
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(client.gatewayUrl() + "/v1/management/backup"))
            .timeout(Duration.ofMinutes(30))
            .POST(HttpRequest.BodyPublishers.noBody());
    String key = client.resolvedApiKey();
    if (key != null) {
      request.header("Authorization", "Bearer " + key);
    }
    HttpResponse<InputStream> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw new CliException(
          SageCli.UNREACHABLE,
          "cannot reach the gateway at "
              + client.gatewayUrl()
              + " ("
              + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
              + ").\n  A backup is taken by the running gateway: start it, or copy a stopped"
              + " gateway's data dir instead.");
    }
    try (InputStream body = response.body()) {
      if (response.statusCode() != 200) {
        String text = new String(body.readNBytes(4096), StandardCharsets.UTF_8);
        throw new CliException(
            SageCli.FAILED,
            "backup refused (HTTP " + response.statusCode() + "): " + RestoreCommand.brief(text));
      }
      Path parent = target.getParent();
      Files.createDirectories(parent);
      Path temp = RestoreCommand.ownerOnlyTemp(parent, ".sage-backup");
      try {
        // write into the owner-only file itself: Files.copy(REPLACE_EXISTING) would recreate it
        try (var sink = Files.newOutputStream(temp, java.nio.file.StandardOpenOption.WRITE)) {
          body.transferTo(sink);
        }
        Files.move(
            temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(temp);
      }
    }
    client.print(
        java.util.List.of(
            "backup written to " + target + " (" + Files.size(target) + " bytes)",
            "restore it with: sage restore " + target + " --data-dir DIR"));
    return SageCli.OK;
  }
}
