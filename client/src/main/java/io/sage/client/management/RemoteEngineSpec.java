package io.sage.client.management;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An engine that already runs elsewhere: the body of {@code POST /v1/management/engines/register}.
 *
 * @param apiKey the remote engine's key, or null; never printed by {@link #toString()}
 */
public record RemoteEngineSpec(String model, String baseUrl, String engineKind, String apiKey) {

  public RemoteEngineSpec {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(baseUrl, "baseUrl");
    if (!baseUrl.startsWith("http://") && !baseUrl.startsWith("https://")) {
      throw new IllegalArgumentException("remote engine base URL must be http(s): " + baseUrl);
    }
    engineKind = engineKind == null ? "llm" : engineKind;
  }

  public Map<String, Object> toBody() {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("model", model);
    body.put("base_url", baseUrl);
    body.put("engine_kind", engineKind);
    if (apiKey != null) {
      body.put("api_key", apiKey);
    }
    return body;
  }

  @Override
  public String toString() {
    return "RemoteEngineSpec[model="
        + model
        + ", baseUrl="
        + baseUrl
        + ", engineKind="
        + engineKind
        + ", apiKey="
        + (apiKey == null ? "none" : "****")
        + "]";
  }
}
