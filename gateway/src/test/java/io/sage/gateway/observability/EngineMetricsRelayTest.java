package io.sage.gateway.observability;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EngineMetricsRelayTest {

  @Test
  void samplesGetTheEngineIdAsFirstLabel() {
    assertThat(
            EngineMetricsRelay.withEngineId(
                "vllm:num_requests_running{model_name=\"m\"} 2.0", "eng-1"))
        .isEqualTo("vllm:num_requests_running{engine_id=\"eng-1\",model_name=\"m\"} 2.0");
    assertThat(EngineMetricsRelay.withEngineId("up 1", "eng-1"))
        .isEqualTo("up{engine_id=\"eng-1\"} 1");
    assertThat(EngineMetricsRelay.withEngineId("up{} 1 1700000000", "eng-1"))
        .isEqualTo("up{engine_id=\"eng-1\"} 1 1700000000");
  }

  @Test
  void familiesOfSeveralEnginesStayTogetherWithOneHeader() {
    String text =
        "# HELP vllm:a A\n# TYPE vllm:a gauge\nvllm:a{model_name=\"m\"} 1\n"
            + "# HELP vllm:b B\n# TYPE vllm:b counter\nvllm:b_total 5\n";
    Map<String, String> texts = new LinkedHashMap<>();
    texts.put("eng-1", text);
    texts.put("eng-2", text.replace(" 1\n", " 3\n"));
    texts.put("eng-3", "");
    assertThat(EngineMetricsRelay.merge(texts))
        .isEqualTo(
            "# HELP vllm:a A\n# TYPE vllm:a gauge\n"
                + "vllm:a{engine_id=\"eng-1\",model_name=\"m\"} 1\nvllm:a{engine_id=\"eng-2\",model_name=\"m\"} 3\n"
                + "# HELP vllm:b B\n# TYPE vllm:b counter\n"
                + "vllm:b_total{engine_id=\"eng-1\"} 5\nvllm:b_total{engine_id=\"eng-2\"} 5\n");
  }
}
