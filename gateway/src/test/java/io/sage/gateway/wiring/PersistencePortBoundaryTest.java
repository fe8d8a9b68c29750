package io.sage.gateway.wiring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The gateway reaches the database only through the store ports of core/host: outside the wiring
 * package, no gateway source imports a type of the db module.
 */
class PersistencePortBoundaryTest {
  private static final Path SOURCES = Path.of("src/main/java/io/sage/gateway");

  @Test
  void onlyTheWiringImportsTheDbModule() throws IOException {
    List<String> offenders;
    try (Stream<Path> files = Files.walk(SOURCES)) {
      offenders =
          files
              .filter(f -> f.toString().endsWith(".java"))
              .filter(f -> !f.startsWith(SOURCES.resolve("wiring")))
              .filter(PersistencePortBoundaryTest::importsDb)
              .map(Path::toString)
              .toList();
    }
    assertThat(offenders).as("gateway sources importing io.sage.db outside wiring/").isEmpty();
  }

  @Test
  void theCheckSeesTheSources() throws IOException {
    try (Stream<Path> files = Files.walk(SOURCES.resolve("wiring"))) {
      assertThat(files.filter(PersistencePortBoundaryTest::importsDb)).isNotEmpty();
    }
  }

  private static boolean importsDb(Path file) {
    if (!file.toString().endsWith(".java")) {
      return false;
    }
    try {
      return Files.readAllLines(file).stream().anyMatch(l -> l.startsWith("import io.sage.db."));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
