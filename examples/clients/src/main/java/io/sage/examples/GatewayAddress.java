package io.sage.examples;

import io.sage.client.SageClientException;
import io.sage.client.UnifiedInferenceClient;

/**
 * Where the examples find the gateway: the first argument, else {@code SAGE_GATEWAY_URL}, else
 * {@code http://127.0.0.1:8000} (the gateway's default bind). {@code SAGE_API_KEY} is sent when
 * set.
 */
final class GatewayAddress {
  static final String DEFAULT_URL = "http://127.0.0.1:8000";

  private GatewayAddress() {}

  static String url(String[] args) {
    if (args.length > 0 && !args[0].isBlank()) {
      return args[0];
    }
    String fromEnv = System.getenv("SAGE_GATEWAY_URL");
    return fromEnv == null || fromEnv.isBlank() ? DEFAULT_URL : fromEnv;
  }

  /** The argument at {@code index}, or {@code fallback} when there are fewer arguments. */
  static String arg(String[] args, int index, String fallback) {
    return args.length > index && !args[index].isBlank() ? args[index] : fallback;
  }

  static UnifiedInferenceClient client(String[] args) {
    UnifiedInferenceClient.Builder builder = UnifiedInferenceClient.builder().baseUrl(url(args));
    String apiKey = System.getenv("SAGE_API_KEY");
    if (apiKey != null && !apiKey.isBlank()) {
      builder.apiKey(apiKey);
    }
    return builder.build();
  }

  /** Runs an example; a gateway error ends the process with status 1 and the gateway's message. */
  static void run(String name, ExampleBody body) {
    try {
      body.run();
    } catch (SageClientException e) {
      System.err.println(name + " failed: " + e.getMessage());
      System.exit(1);
    }
  }

  /** An example's work. */
  interface ExampleBody {
    void run();
  }
}
