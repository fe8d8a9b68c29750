package io.sage.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5: the real vllm runtime plugin, launched by the real gateway against a stand-in {@code
 * vllm} executable (a bash script this test writes) that records its argv and environment and then
 * serves the OpenAI routes through the mock engine, on a fake machine with two 80 GiB GPUs. One
 * scenario, in order, because each step builds on the GPUs the previous one holds.
 */
class VllmPlacementIT {
  private static final String MODEL = "Qwen/Qwen2.5-7B-Instruct";
  @TempDir static Path dataDir;
  @TempDir static Path tools;
  static Gateway gateway;

  @BeforeAll
  static void start() throws IOException {
    Path gpus = tools.resolve("gpus.json");
    Files.writeString(
        gpus,
        "[{\"index\": 0, \"name\": \"Fake H100\", \"uuid\": \"GPU-fake-0\", \"memory_total_mib\": 81920,"
            + " \"memory_used_mib\": 1024, \"utilization_pct\": 0},"
            + " {\"index\": 1, \"name\": \"Fake H100\", \"uuid\": \"GPU-fake-1\", \"memory_total_mib\": 81920,"
            + " \"memory_used_mib\": 1024, \"utilization_pct\": 0}]");
    gateway =
        Gateway.start(
            dataDir,
            Map.of(
                "SAGE_GPU_FAKE", gpus.toString(),
                "SAGE_VLLM_COMMAND", writeStandIn(tools, "").toString(),
                "SAGE_HEALTH_INTERVAL", "500ms",
                "SAGE_RESTART_BACKOFF_INITIAL", "200ms",
                "SAGE_STOP_GRACE_PERIOD", "2s"));
  }

  /**
   * The stand-in: records argv (one per line) and the environment in its working directory (the
   * engine's work dir), prints a start-up line like vLLM's that names the key, then execs the mock
   * engine on the port, served name and key vLLM was given, with {@code mockArgs} added (e.g.
   * {@code --option tokens_per_second=20}).
   */
  static Path writeStandIn(Path tools, String mockArgs) throws IOException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Path mockJar = Sage.pluginsDir().resolve("sage-engine-mock.jar");
    String script =
        "#!/bin/bash\n"
            + "printf '%s\\n' \"$@\" > argv.txt\n"
            + "env > env.txt\n"
            + "port=''; key=''; name=''\n"
            + "while [ $# -gt 0 ]; do\n"
            + "  case \"$1\" in\n"
            + "    --port) port=\"$2\"; shift ;;\n"
            + "    --served-model-name) name=\"$2\"; shift ;;\n"
            + "  esac\n"
            + "  shift\n"
            + "done\n"
            + "key=\"$VLLM_API_KEY\"\n"
            + "echo \"stand-in vllm: args: port=$port api_key=$key\"\n"
            + "echo \"stand-in vllm: loading weights\"\n"
            + "SAGE_ENGINE_API_KEY=\"$key\" exec '"
            + java
            + "' -cp '"
            + mockJar
            + "' io.sage.engine.mock.MockEngineMain --host 127.0.0.1 --port \"$port\" --model \"$name\" --kind llm "
            + mockArgs
            + "\n";
    Path standIn = tools.resolve("vllm");
    Files.writeString(standIn, script);
    Files.setPosixFilePermissions(standIn, PosixFilePermissions.fromString("rwxr-xr-x"));
    return standIn;
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.close();
    }
    assertThat(Leftovers.killAll(dataDir)).as("processes left behind").isZero();
  }

  static String vllm(String fields) {
    return "{\"model\":\"" + MODEL + "\",\"runtime\":\"vllm\"," + fields + "}";
  }

  static Path work(String id) {
    return dataDir.resolve("engines").resolve(id).resolve("work");
  }

  static JsonNode gpu(int index) {
    return gateway.get("/v1/management/gpu").json().get("gpus").get(index);
  }

  static int engineCount() {
    return gateway.get("/v1/management/engines").json().get("count").asInt();
  }

  @Test
  void vllmEnginesArePlacedOnGpusLaunchedWithTheExactArgvAndRestartedOnTheirGpus()
      throws Exception {
    // allow-list: refused with 400 naming the flag, nothing launched
    int before = engineCount();
    for (String flag : List.of("--port", "--api-key", "--worker-extension-cls")) {
      Http.Response refused =
          gateway.post("/v1/management/engines", vllm("\"extra_args\":[\"" + flag + "\",\"x\"]"));
      assertThat(refused.status()).as(refused.body()).isEqualTo(400);
      assertThat(refused.json().get("error").get("message").asText()).contains(flag);
    }
    assertThat(engineCount()).isEqualTo(before);

    // tp=2 takes both GPUs
    String id =
        gateway.startEngine(
            vllm(
                "\"served_model_name\":\"qwen-7b\",\"tensor_parallel_size\":2,"
                    + "\"options\":{\"gpu_memory_gb\":\"60\",\"gpu_memory_utilization\":\"0.85\"},"
                    + "\"extra_args\":[\"--max-model-len\",\"8192\",\"--enforce-eager\"]"));
    JsonNode ready = gateway.awaitState(id, "READY", Duration.ofSeconds(60));
    int port = ready.get("port").asInt();
    assertThat(ready.get("gpu_ids")).hasToString("[0,1]");
    List<String> argv = Files.readAllLines(work(id).resolve("argv.txt"));
    List<String> env = Files.readAllLines(work(id).resolve("env.txt"));
    String key =
        env.stream()
            .filter(line -> line.startsWith("VLLM_API_KEY="))
            .findFirst()
            .orElseThrow()
            .substring("VLLM_API_KEY=".length());
    assertThat(key).startsWith("sk-engine-");
    // issue 19: the key is not on the command line, where every local user sees it in ps
    assertThat(String.join(" ", argv)).doesNotContain(key);
    assertThat(argv)
        .containsExactly(
            "serve",
            MODEL,
            "--host",
            "127.0.0.1",
            "--port",
            Integer.toString(port),
            "--served-model-name",
            "qwen-7b",
            "--tensor-parallel-size",
            "2",
            "--gpu-memory-utilization",
            "0.85",
            "--max-model-len",
            "8192",
            "--enforce-eager");
    assertThat(Files.readAllLines(work(id).resolve("env.txt")))
        .contains("CUDA_VISIBLE_DEVICES=0,1");
    assertThat(port).isNotEqualTo(gateway.port());

    // it listens on EngineInfo.port and wants the key; through the gateway it works (the gateway
    // sends it)
    assertThat(Http.get("http://127.0.0.1:" + port + "/health").status()).isEqualTo(200);
    assertThat(Http.get("http://127.0.0.1:" + port + "/v1/models").status()).isEqualTo(401);
    assertThat(
            Http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/models"))
                        .header("Authorization", "Bearer " + key)
                        .GET())
                .status())
        .isEqualTo(200);
    Http.Response chat =
        gateway.post(
            "/v1/chat/completions",
            "{\"model\":\"qwen-7b\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":3}");
    assertThat(chat.status()).as(chat.body()).isEqualTo(200);
    assertThat(chat.header("x-sage-engine-id")).isEqualTo(id);

    // start progress and logs, with the key masked
    JsonNode shown = gateway.engine(id);
    assertThat(shown.has("last_log_line")).isTrue();
    String logs = gateway.get("/v1/management/engines/" + id + "/logs?tail=50").body();
    assertThat(logs).contains("stand-in vllm: loading weights").contains("api_key=****");

    // /gpu shows the reservations
    for (int gpu : List.of(0, 1)) {
      assertThat(gpu(gpu).get("memory_reserved_mib").asLong()).isEqualTo(61440);
      assertThat(gpu(gpu).get("engine_ids")).hasToString("[\"" + id + "\"]");
    }

    // a third engine finds no room: 409 saying what it needs and what is free
    Http.Response full =
        gateway.post("/v1/management/engines", vllm("\"options\":{\"gpu_memory_gb\":\"40\"}"));
    assertThat(full.status()).as(full.body()).isEqualTo(409);
    assertThat(full.json().get("error").get("code").asText()).isEqualTo("gpu_unavailable");
    assertThat(full.json().get("error").get("message").asText())
        .contains("needs 1 GPU(s) with 40960 MiB free each")
        .contains("free now: GPU0 19456 MiB, GPU1 19456 MiB");
    // a port in use is refused, and the GPUs placed before the port check are given back
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      Http.Response inUse =
          gateway.post(
              "/v1/management/engines",
              vllm("\"port\":" + taken.getLocalPort() + ",\"options\":{\"gpu_memory_gb\":\"10\"}"));
      assertThat(inUse.status()).as(inUse.body()).isEqualTo(409);
      assertThat(inUse.json().get("error").get("code").asText()).isEqualTo("port_in_use");
    }
    assertThat(gpu(0).get("memory_reserved_mib").asLong()).isEqualTo(61440);
    assertThat(engineCount()).isEqualTo(before + 1);

    // crash: kill -9 → ERROR → STARTING → READY on the same GPUs, restart_count one more
    JsonNode beforeKill = gateway.engine(id);
    long pid = beforeKill.get("pid").asLong();
    int restarts = beforeKill.get("restart_count").asInt();
    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    // a slow machine may already have restarted it once (startup timeout): count from here
    JsonNode restarted =
        gateway.awaitEngine(
            id,
            Duration.ofSeconds(60),
            e ->
                "READY".equals(e.get("state").asText())
                    && e.get("pid").asLong() != pid
                    && e.get("restart_count").asInt() == restarts + 1);
    assertThat(restarted.get("gpu_ids")).hasToString("[0,1]");
    assertThat(transitions(id)).contains("READY->ERROR", "ERROR->STARTING");
    List<String> argvAgain = Files.readAllLines(work(id).resolve("argv.txt"));
    assertThat(argvAgain.get(argvAgain.indexOf("--port") + 1))
        .isEqualTo(restarted.get("port").asText());
    assertThat(gpu(1).get("engine_ids")).hasToString("[\"" + id + "\"]");

    // gateway kill -9 and restart: the engine is adopted and its reservations are back
    gateway.kill9();
    gateway = gateway.restart();
    JsonNode adopted = gateway.awaitState(id, "READY", Duration.ofSeconds(60));
    assertThat(adopted.get("pid").asLong()).isEqualTo(restarted.get("pid").asLong());
    assertThat(adopted.get("restart_count").asInt()).isEqualTo(restarts + 1);
    for (int gpu : List.of(0, 1)) {
      assertThat(gpu(gpu).get("memory_reserved_mib").asLong()).isEqualTo(61440);
      assertThat(gpu(gpu).get("engine_ids")).hasToString("[\"" + id + "\"]");
    }
    Http.Response stillFull =
        gateway.post("/v1/management/engines", vllm("\"options\":{\"gpu_memory_gb\":\"40\"}"));
    assertThat(stillFull.status()).as(stillFull.body()).isEqualTo(409);

    // the engine key never shows in a management response
    for (String path :
        List.of(
            "/v1/management/engines",
            "/v1/management/engines/" + id,
            "/v1/management/engines/" + id + "/events",
            "/v1/management/engines/" + id + "/logs?tail=500",
            "/v1/management/gpu",
            "/v1/management/status",
            "/v1/management/audit",
            "/v1/management/backends")) {
      assertThat(gateway.get(path).body())
          .as(path)
          .doesNotContain(key)
          .doesNotContain("sk-engine-");
    }

    // stopping frees the GPUs; then the engine that did not fit fits
    Http.Response stop = gateway.post("/v1/management/engines/" + id + "/stop?drain=false", "");
    assertThat(stop.status()).as(stop.body()).isIn(200, 202);
    gateway.awaitState(id, "STOPPED", Duration.ofSeconds(30));
    assertThat(gpu(0).get("memory_reserved_mib").asLong()).isZero();
    assertThat(gpu(0).get("engine_ids")).isEmpty();
    String second = gateway.startEngine(vllm("\"options\":{\"gpu_memory_gb\":\"40\"}"));
    JsonNode secondReady = gateway.awaitState(second, "READY", Duration.ofSeconds(60));
    assertThat(secondReady.get("gpu_ids")).hasSize(1);
    int secondGpu = secondReady.get("gpu_ids").get(0).asInt();
    assertThat(Files.readAllLines(work(second).resolve("env.txt")))
        .contains("CUDA_VISIBLE_DEVICES=" + secondGpu);
    assertThat(gpu(secondGpu).get("memory_reserved_mib").asLong()).isEqualTo(40960);

    // the stopped tp=2 engine no longer fits: a manual restart is refused with what is free
    Http.Response restart = gateway.post("/v1/management/engines/" + id + "/restart", "");
    assertThat(restart.status()).as(restart.body()).isEqualTo(409);
    assertThat(restart.json().get("error").get("message").asText())
        .contains("needs 2 GPU(s) with 61440 MiB free each");
    assertThat(gateway.engine(id).get("state").asText()).isEqualTo("STOPPED");
  }

  static List<String> transitions(String id) {
    List<String> out = new ArrayList<>();
    gateway
        .get("/v1/management/engines/" + id + "/events")
        .json()
        .get("events")
        .forEach(e -> out.add(e.get("from").asText() + "->" + e.get("to").asText()));
    return out;
  }
}
