package io.sage.e2e;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Chat requests for one model sent without pause through every node of a cluster, round robin, by a
 * few client threads, as a load balancer in front of the nodes would: a request whose connection to
 * a node that the test is taking down fails (refused, or cut by the kill) is sent again to the next
 * node; every other answer is recorded, and one that is not 200 is a failure. Each record carries
 * the phase the test was in when the request was sent.
 */
final class ClusterLoad implements AutoCloseable {
  /** One answered request: the node that answered, its status, the engine that served it. */
  record Outcome(int phase, String node, int status, String engine, String error) {
    boolean failed() {
      return status != 200;
    }
  }

  private final Map<String, String> urls;
  private final List<String> order;
  private final String model;
  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();
  private final Set<String> goingDown = ConcurrentHashMap.newKeySet();
  private final List<Outcome> outcomes = new CopyOnWriteArrayList<>();
  private final AtomicInteger resent = new AtomicInteger();
  private final AtomicInteger next = new AtomicInteger();
  private final List<Thread> threads = new ArrayList<>();
  private volatile int phase;
  private volatile boolean running = true;

  /** Starts {@code clients} threads sending to {@code urls} (node name to base URL). */
  ClusterLoad(Map<String, String> urls, String model, int clients) {
    this.urls = Map.copyOf(urls);
    this.order = List.copyOf(new java.util.TreeSet<>(urls.keySet()));
    this.model = model;
    for (int i = 0; i < clients; i++) {
      Thread thread = new Thread(this::sendUntilClosed, "cluster-load-" + i);
      thread.setDaemon(true);
      threads.add(thread);
      thread.start();
    }
  }

  /** From now on, requests are recorded with {@code phase}. */
  void phase(int phase) {
    this.phase = phase;
  }

  /** The test is about to take {@code node} down: a failed connection to it is resent elsewhere. */
  void nodeGoingDown(String node) {
    goingDown.add(node);
  }

  /** {@code node} is back: it must answer again like the others. */
  void nodeBack(String node) {
    goingDown.remove(node);
  }

  List<Outcome> outcomes() {
    return List.copyOf(outcomes);
  }

  List<Outcome> failures() {
    return outcomes.stream().filter(Outcome::failed).toList();
  }

  /** Requests resent to another node because the node they were sent to was being taken down. */
  int resent() {
    return resent.get();
  }

  long count(Predicate<Outcome> which) {
    return outcomes.stream().filter(which).count();
  }

  private void sendUntilClosed() {
    while (running) {
      int start = Math.floorMod(next.getAndIncrement(), order.size());
      boolean answered = false;
      for (int tried = 0; tried < order.size() && running && !answered; tried++) {
        String node = order.get((start + tried) % order.size());
        int sentIn = phase;
        boolean down = goingDown.contains(node);
        try {
          HttpResponse<String> response =
              client.send(request(node), HttpResponse.BodyHandlers.ofString());
          outcomes.add(
              new Outcome(
                  sentIn,
                  node,
                  response.statusCode(),
                  response.headers().firstValue("x-sage-engine-id").orElse(null),
                  response.statusCode() == 200 ? null : response.body()));
          answered = true;
        } catch (IOException e) {
          if (down || goingDown.contains(node)) {
            resent.incrementAndGet();
            continue; // the balancer's retry on the next node
          }
          outcomes.add(new Outcome(sentIn, node, -1, null, e.toString()));
          answered = true;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      if (!answered && running) {
        outcomes.add(new Outcome(phase, "none", -1, null, "no node answered"));
      }
    }
  }

  private HttpRequest request(String node) {
    return Http.withKey(
        HttpRequest.newBuilder(URI.create(urls.get(node) + "/v1/chat/completions"))
            .timeout(Duration.ofSeconds(20))
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"model\":\""
                        + model
                        + "\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
            .build());
  }

  @Override
  public void close() {
    running = false;
    for (Thread thread : threads) {
      try {
        thread.join(Duration.ofSeconds(30).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
