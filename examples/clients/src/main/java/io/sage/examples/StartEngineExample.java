package io.sage.examples;

import io.sage.client.UnifiedInferenceClient;
import io.sage.client.management.EngineHandle;
import io.sage.client.management.EngineInfo;
import io.sage.client.management.EngineSpec;
import java.time.Duration;

/**
 * Starts an engine through the management API and waits until it is READY, printing each state
 * change. Arguments: {@code [gateway-url] [model] [runtime]}; defaults: model {@code
 * example-model}, runtime {@code mock} (no GPU needed). Needs an admin key in {@code SAGE_API_KEY}
 * once the gateway has keys. The engine keeps running; stop it with {@code sage llm engine stop
 * <id>}.
 */
public final class StartEngineExample {
  private StartEngineExample() {}

  public static void main(String[] args) {
    GatewayAddress.run(
        "StartEngineExample",
        () -> {
          UnifiedInferenceClient client = GatewayAddress.client(args);
          String model = GatewayAddress.arg(args, 1, "example-model");
          String runtime = GatewayAddress.arg(args, 2, "mock");
          EngineHandle handle =
              client
                  .management()
                  .start(EngineSpec.builder(model).engineKind("llm").runtime(runtime).build());
          System.out.println(
              "started engine " + handle.id() + " (" + model + ", runtime " + runtime + ")");
          String[] lastState = {""};
          EngineInfo ready =
              handle.awaitReady(
                  Duration.ofMinutes(15),
                  info -> {
                    if (!info.state().name().equals(lastState[0])) {
                      lastState[0] = info.state().name();
                      System.out.println("  state " + lastState[0]);
                    }
                  });
          System.out.println(
              "engine "
                  + ready.id()
                  + " READY at "
                  + ready.baseUrl()
                  + " serving "
                  + ready.servedModelName());
        });
  }
}
