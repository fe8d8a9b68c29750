package io.sage.gateway.health;

import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.sage.gateway.BuildInfo;
import java.util.Map;

/** {@code GET /version}: the version and git commit this gateway was built from. */
@Controller
class VersionController {
  @Get("/version")
  Map<String, String> version() {
    BuildInfo build = BuildInfo.current();
    return Map.of("version", build.version(), "commit", build.commit());
  }
}
