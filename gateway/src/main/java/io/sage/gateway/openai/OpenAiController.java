package io.sage.gateway.openai;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.sage.gateway.session.SessionChat;
import io.sage.spi.engine.EngineKind;
import java.util.concurrent.CompletableFuture;

/** The OpenAI-compatible inference routes; all of them are proxied, none is answered here. */
@Controller("/v1")
class OpenAiController {
  private final EngineProxy proxy;
  private final SessionChat sessions;

  OpenAiController(EngineProxy proxy, SessionChat sessions) {
    this.proxy = proxy;
    this.sessions = sessions;
  }

  @Post(value = "/chat/completions", consumes = MediaType.ALL, produces = MediaType.ALL)
  CompletableFuture<HttpResponse<?>> chat(HttpRequest<?> request, @Body @Nullable byte[] body) {
    if (sessions.applies(request, body)) {
      return sessions.chat(request, body);
    }
    return proxy.forward(request, body, EngineKind.LLM, "/v1/chat/completions");
  }

  @Post(value = "/completions", consumes = MediaType.ALL, produces = MediaType.ALL)
  CompletableFuture<HttpResponse<?>> completions(
      HttpRequest<?> request, @Body @Nullable byte[] body) {
    return proxy.forward(request, body, EngineKind.LLM, "/v1/completions");
  }

  @Post(value = "/embeddings", consumes = MediaType.ALL, produces = MediaType.ALL)
  CompletableFuture<HttpResponse<?>> embeddings(
      HttpRequest<?> request, @Body @Nullable byte[] body) {
    return proxy.forward(request, body, EngineKind.EMBEDDING, "/v1/embeddings");
  }
}
