package io.sage.gateway.console;

import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.sage.gateway.errors.OpenAiError;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Serves the web console's files ({@code src/main/resources/console}: HTML, CSS and plain ES
 * modules, no build step) at {@code /ui}, with a Content-Security-Policy that allows only this
 * origin's scripts and styles, no inline script. The files hold no data: everything they show comes
 * from the API, which checks the session's key on every call.
 */
@Controller("/ui")
@ExecuteOn(TaskExecutors.BLOCKING)
class ConsoleController {
  static final String CONTENT_SECURITY_POLICY =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " connect-src 'self'; font-src 'self'; manifest-src 'self'; base-uri 'none';"
          + " form-action 'self'; frame-ancestors 'none'";
  private static final Pattern FILE = Pattern.compile("([a-z0-9_-]+/)*[a-z0-9_-]+\\.[a-z0-9]+");
  private static final Map<String, String> TYPES =
      Map.of(
          "html", "text/html; charset=utf-8",
          "js", "text/javascript; charset=utf-8",
          "css", "text/css; charset=utf-8",
          "svg", "image/svg+xml",
          "png", "image/png",
          "ico", "image/x-icon",
          "json", "application/json");

  private final ConsoleConfig config;

  /** Files found so far (names that are no file are not remembered: clients pick those). */
  private final Map<String, byte[]> cache = new ConcurrentHashMap<>();

  private final List<String> pages;

  ConsoleController(ConsoleConfig config) {
    this.config = config;
    this.pages = ConsolePages.find(ConsoleController.class.getClassLoader());
  }

  @Get
  HttpResponse<?> index() {
    return file("index.html");
  }

  /** The page modules the shell imports (see {@link ConsolePages}). */
  @Get("/pages/index.json")
  HttpResponse<?> pages() {
    if (!config.enabled()) {
      return file("index.html");
    }
    return secured(HttpResponse.ok(pages).header("Cache-Control", "no-cache"));
  }

  @Get("/{+path}")
  HttpResponse<?> file(@PathVariable String path) {
    if (!config.enabled()) {
      return OpenAiError.response(
          404,
          "the console is disabled (sage.console.enabled=false)",
          "not_found_error",
          "not_found");
    }
    String name = path.isEmpty() || path.equals("/") ? "index.html" : path;
    String extension = name.substring(name.lastIndexOf('.') + 1);
    Optional<byte[]> bytes =
        FILE.matcher(name).matches() && TYPES.containsKey(extension)
            ? cached(name)
            : Optional.empty();
    if (bytes.isEmpty()) {
      return secured(
          OpenAiError.response(
              404, "no console file '" + name + "'", "not_found_error", "not_found"));
    }
    return secured(
        HttpResponse.ok(bytes.get())
            .contentType(MediaType.of(TYPES.get(extension)))
            .header("Cache-Control", "no-cache"));
  }

  private static <T> MutableHttpResponse<T> secured(MutableHttpResponse<T> response) {
    return response
        .header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        .header("X-Content-Type-Options", "nosniff")
        .header("X-Frame-Options", "DENY")
        .header("Referrer-Policy", "no-referrer")
        .header("Cross-Origin-Opener-Policy", "same-origin");
  }

  private Optional<byte[]> cached(String name) {
    byte[] known = cache.get(name);
    if (known != null) {
      return Optional.of(known);
    }
    Optional<byte[]> loaded = load(name);
    loaded.ifPresent(bytes -> cache.put(name, bytes));
    return loaded;
  }

  private static Optional<byte[]> load(String name) {
    try (InputStream in =
        ConsoleController.class.getClassLoader().getResourceAsStream("console/" + name)) {
      return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read console file " + name, e);
    }
  }
}
