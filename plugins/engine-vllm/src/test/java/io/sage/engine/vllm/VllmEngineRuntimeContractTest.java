package io.sage.engine.vllm;

import io.sage.spi.engine.EngineKind;
import io.sage.spi.engine.EngineRuntimeFactory;
import io.sage.spi.engine.EngineSpec;
import io.sage.testkit.engine.EngineRuntimeContract;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The shared runtime contract for vLLM, run against a stand-in {@code vllm} executable this test
 * writes: a shell script that starts {@link StandInVllmServer}, which serves and checks the key the
 * way vLLM does. The runtime's own argv, environment and key handling are what is tested.
 */
class VllmEngineRuntimeContractTest extends EngineRuntimeContract {
  private static Path standIn;

  @Override
  protected EngineRuntimeFactory factory() {
    return new VllmEngineRuntimeFactory();
  }

  @Override
  protected EngineSpec spec() {
    return new EngineSpec(
        "meta-llama/Llama-3.1-8B-Instruct",
        "llama-8b",
        EngineKind.LLM,
        "vllm",
        null,
        1,
        List.of(),
        false,
        null,
        List.of(),
        Map.of("vllm_command", standIn().toString()));
  }

  @Override
  protected Duration healthTimeout() {
    return Duration.ofSeconds(60);
  }

  private static synchronized Path standIn() {
    if (standIn != null) {
      return standIn;
    }
    try {
      Path dir = Files.createTempDirectory("vllm-stand-in");
      Path classes =
          Path.of(
              StandInVllmServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      Path java = Path.of(System.getProperty("java.home"), "bin", "java");
      Path script = dir.resolve("vllm");
      Files.writeString(
          script,
          "#!/bin/bash\nexec '"
              + java
              + "' -XX:TieredStopAtLevel=1 -cp '"
              + classes
              + "' "
              + StandInVllmServer.class.getName()
              + " \"$@\"\n");
      Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
      standIn = script;
      return script;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
