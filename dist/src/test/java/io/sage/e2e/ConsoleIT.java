package io.sage.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The web console in a real headless Chromium against the real gateway and real mock engines: one
 * operator's session from sign-in to sign-out, in order (each step builds on the one before), then
 * an inference key's. Screenshots of the main pages land in {@code target/console-screenshots} and,
 * with {@code -Dsage.screenshots.docs=true}, in {@code docs/console} for docs/console.md.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleIT {
  @TempDir static Path dataDir;
  static Gateway gateway;
  static Browser browser;
  static Path shots;
  static String third;
  static String thirdPid;
  static String inferenceKey;

  @BeforeAll
  static void start() throws IOException {
    Assumptions.assumeTrue(
        Browser.available(),
        "chromium and chromium-driver are not installed (.ci/run installs them)");
    Path gpus = dataDir.resolve("fake-gpus.json");
    Files.writeString(
        gpus,
        "[{\"index\": 0, \"name\": \"Fake H100\", \"uuid\": \"GPU-fake-0\", \"memory_total_mib\": 81920,"
            + " \"memory_used_mib\": 20480, \"utilization_pct\": 35},"
            + " {\"index\": 1, \"name\": \"Fake H100\", \"uuid\": \"GPU-fake-1\", \"memory_total_mib\": 81920,"
            + " \"memory_used_mib\": 1024, \"utilization_pct\": 0}]");
    gateway =
        Gateway.start(
            dataDir.resolve("data"),
            Map.of(
                "SAGE_HEALTH_INTERVAL", "500ms",
                "SAGE_RESTART_BACKOFF_INITIAL", "1s",
                "SAGE_GPU_FAKE", gpus.toString(),
                "GPU_PROVIDER", "fake",
                // a port range of its own: other suites use the default one at the same time
                "SAGE_ENGINES_PORT_RANGE_START", "47100",
                "SAGE_ENGINES_PORT_RANGE_END", "47999"));
    gateway.startEngine(mock("chat-model", "\"tokens_per_second\": \"6\""));
    gateway.startEngine(mock("chat-model", "\"tokens_per_second\": \"6\""));
    shots = Path.of("target", "console-screenshots");
    browser = new Browser(shots);
  }

  @AfterAll
  static void stop() throws IOException {
    try {
      if (browser != null) {
        browser.close();
      }
    } finally {
      if (gateway != null) {
        gateway.close();
        assertThat(Leftovers.killAll(gateway.dataDir())).as("processes left behind").isZero();
      }
    }
    if (shots != null && Boolean.getBoolean("sage.screenshots.docs") && Files.isDirectory(shots)) {
      Path docs = Path.of(System.getProperty("sage.docs", "../docs"), "console");
      Files.createDirectories(docs);
      try (var files = Files.list(shots)) {
        for (Path shot : files.toList()) {
          Files.copy(shot, docs.resolve(shot.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  static String mock(String model, String options) {
    return "{\"model\": \""
        + model
        + "\", \"engine_kind\": \"llm\", \"runtime\": \"mock\", \"options\": {"
        + options
        + "}}";
  }

  @Test
  @Order(1)
  void signInWithTheAdminKeyGivesAnHttpOnlyStrictCookieAndNoStoredKey() {
    browser.open(gateway.url() + "/ui");
    browser.shown("#key");
    browser.screenshot("sign-in");
    signIn(gateway.adminKey());
    browser.awaitText("#who", "bootstrap admin");
    Cookie cookie = browser.driver().manage().getCookieNamed("sage_console");
    assertThat(cookie).isNotNull();
    assertThat(cookie.isHttpOnly()).isTrue();
    assertThat(cookie.getSameSite()).isEqualTo("Strict");
    assertThat(browser.script("return document.cookie")).isEqualTo("");
    assertThat(
            browser.script(
                "return JSON.stringify(Object.assign({}, localStorage))"
                    + " + JSON.stringify(Object.assign({}, sessionStorage))"))
        .asString()
        .doesNotContain("sk-sage-");
  }

  @Test
  @Order(2)
  void theOverviewShowsTwoEnginesReadyAndTheGpus() {
    browser.open(gateway.url() + "/ui#/overview");
    browser.awaitText(".card[data-state=READY] .count", "2");
    browser.awaitText("tr[data-model=chat-model] .ready-count", "2 / 2");
    browser.shown(".gpubar");
    assertThat(browser.all(".gpu")).hasSize(2);
    browser.awaitText(".traffic", "Requests / s");
    browser.awaitText("#ov-plugins-body", "runtimes: mock");
    browser.screenshot("overview");
  }

  @Test
  @Order(3)
  void theEnginesTableListsBothReady() {
    browser.find("#nav a[data-page=engines]").click();
    browser.await(
        "two READY rows",
        d -> d.findElements(By.cssSelector("#engines-table tr[data-state=READY]")).size() == 2);
    browser.screenshot("engines");
  }

  @Test
  @Order(4)
  void startingFromTheFormShowsTheInvalidFieldThenReachesReadyWithoutReload() {
    browser.find("#nav a[data-page=start]").click();
    browser.shown("#start-form");
    browser.script("window.sageNoReload = 'still here'");
    browser.await(
        "runtimes listed",
        d -> new Select(d.findElement(By.id("f-runtime"))).getOptions().size() > 1);
    new Select(browser.find("#f-runtime")).selectByValue("mock");
    new Select(browser.find("#f-engine_kind")).selectByValue("llm");
    browser.find("#f-model").sendKeys("console-llm");
    browser.find("#f-label").sendKeys("started from the console");
    browser.find("#add-option").click();
    browser.find("#add-option").click();
    List<WebElement> keys = browser.all(".option-row .option-key");
    List<WebElement> values = browser.all(".option-row .option-value");
    keys.get(0).sendKeys("latency_ms");
    values.get(0).sendKeys("soon");
    keys.get(1).sendKeys("log_requests");
    values.get(1).sendKeys("true");
    browser.find("#start-submit").click();

    WebElement error =
        browser.await(
            "the latency_ms problem next to its option",
            d -> {
              WebElement row = d.findElements(By.cssSelector(".option-row")).get(0);
              WebElement e = row.findElement(By.cssSelector(".field-error"));
              return e.isDisplayed() ? e : null;
            });
    assertThat(error.getText()).contains("latency_ms").contains("soon");
    assertThat(values.get(0).getAttribute("aria-invalid")).isEqualTo("true");
    assertThat(browser.all(".option-row .field-error").get(1).isDisplayed()).isFalse();
    assertThat(gateway.get("/v1/management/engines").json().get("count").asInt()).isEqualTo(2);
    browser.screenshot("start-invalid");

    values.get(0).clear();
    values.get(0).sendKeys("0");
    browser.find("#start-submit").click();
    browser.awaitText("#progress-state", "STARTING");
    third = browser.shown("#progress-link").getText();
    browser.await(
        Duration.ofSeconds(30),
        "READY",
        d -> d.findElement(By.id("progress-state")).getText().contains("READY") ? true : null);
    assertThat(browser.script("return window.sageNoReload")).isEqualTo("still here");
    assertThat(browser.find("#progress").getText()).contains("STARTING").contains("READY");
    assertThat(gateway.engine(third).get("state").asText()).isEqualTo("READY");
    browser.screenshot("start-ready");
  }

  @Test
  @Order(5)
  void killNineShowsErrorThenReadyWithTheReasonsOnTheTimeline() {
    browser.find("#progress-link").click();
    browser.awaitText("#engine-state", "READY");
    browser.awaitText("#timeline", "ready");
    // record every state the badge shows, so a short ERROR is seen even between two polls
    browser.script(
        "window.sageStates = [];"
            + "const el = document.getElementById('main');"
            + "new MutationObserver(() => { const s = document.getElementById('engine-state');"
            + " if (s && window.sageStates[window.sageStates.length - 1] !== s.textContent)"
            + " window.sageStates.push(s.textContent); })"
            + ".observe(el, {subtree: true, childList: true, characterData: true});");
    long pid = gateway.engine(third).get("pid").asLong();
    ProcessHandle.of(pid).orElseThrow().destroyForcibly();
    browser.await(
        Duration.ofSeconds(30),
        "ERROR then READY on the badge",
        d -> {
          @SuppressWarnings("unchecked")
          List<String> states = (List<String>) browser.script("return window.sageStates");
          int error = states.indexOf("ERROR");
          return error >= 0 && states.subList(error, states.size()).contains("READY") ? true : null;
        });
    browser.await(
        "ERROR and the restart on the timeline",
        d ->
            d.findElements(By.cssSelector("#timeline li[data-to=ERROR]")).size() == 1
                && d.findElements(By.cssSelector("#timeline li[data-to=READY]")).size() == 2);
    String timeline = browser.find("#timeline").getText();
    assertThat(timeline).contains("process exited with code 137").contains("automatic restart 1/");
    assertThat(browser.script("return window.sageNoReload")).isEqualTo("still here");
    assertThat(gateway.engine(third).get("pid").asLong()).isNotEqualTo(pid);
  }

  @Test
  @Order(6)
  void followingTheLogShowsNewLinesAsTheyAreWritten() throws Exception {
    browser.find("#follow").click();
    browser.awaitText("#follow", "Stop following");
    String marker = "follow-marker-" + System.nanoTime();
    Http.Response chat =
        gateway.post(
            "/v1/chat/completions",
            "{\"model\": \"console-llm\", \"max_tokens\": 2, \"messages\": [{\"role\": \"user\","
                + " \"content\": \""
                + marker
                + "\"}]}");
    assertThat(chat.status()).as(chat.body()).isEqualTo(200);
    browser.awaitText("#log", marker);
    assertThat(browser.script("return window.sageNoReload")).isEqualTo("still here");
    browser.screenshot("engine");
  }

  @Test
  @Order(7)
  void stoppingWithDrainEndsStoppedThroughDraining() {
    browser.find("#stop-drain").click();
    browser.awaitText("#engine-state", "STOPPED");
    browser.await(
        "DRAINING and STOPPED on the timeline",
        d ->
            !d.findElements(By.cssSelector("#timeline li[data-to=DRAINING]")).isEmpty()
                && !d.findElements(By.cssSelector("#timeline li[data-to=STOPPED]")).isEmpty());
    assertThat(browser.find("#timeline").getText()).contains("drained");
    assertThat(gateway.engine(third).get("state").asText()).isEqualTo("STOPPED");
  }

  @Test
  @Order(8)
  void aKeyCreatedIsShownOnceWorksAndIsRevoked() {
    browser.find("#nav a[data-page=keys]").click();
    browser.shown("#key-form");
    String secret = createKey("console-temp");
    assertThat(secret).startsWith("sk-sage-");
    assertThat(withKey(secret, "/v1/models").statusCode()).isEqualTo(200);
    browser.screenshot("keys");
    String id = keyId("console-temp");
    WebElement revoke = browser.find("tr[data-key=" + id + "] .revoke");
    revoke.click();
    assertThat(revoke.getText()).isEqualTo("Confirm revoke");
    revoke.click();
    browser.await(
        "revoked row",
        d ->
            d.findElements(By.cssSelector("tr[data-key=" + id + "][data-active=false]")).size()
                == 1);
    assertThat(withKey(secret, "/v1/models").statusCode()).isEqualTo(401);

    inferenceKey = createKey("console-inference");
    assertThat(inferenceKey).isNotEqualTo(secret).startsWith("sk-sage-");
  }

  @Test
  @Order(9)
  void aStreamedChatShowsTextBeforeTheStreamEnds() {
    browser.find("#nav a[data-page=playground]").click();
    browser.await(
        "chat-model offered",
        d ->
            new Select(d.findElement(By.id("p-model")))
                .getOptions().stream().anyMatch(o -> "chat-model".equals(o.getAttribute("value"))));
    new Select(browser.find("#p-model")).selectByValue("chat-model");
    WebElement max = browser.find("#p-max-tokens");
    max.clear();
    max.sendKeys("18");
    browser.find("#p-prompt").sendKeys("Tell me about engines");
    browser.find("#p-send").click();
    // 18 tokens at 6 per second: about three seconds of stream
    String early =
        browser.await(
            "text while streaming",
            d -> {
              WebElement reply = d.findElement(By.cssSelector(".message.assistant"));
              String text = reply.findElement(By.cssSelector(".content")).getText();
              return "true".equals(reply.getAttribute("data-streaming")) && !text.isBlank()
                  ? text
                  : null;
            });
    browser.screenshot("playground");
    String done =
        browser.await(
            "the stream's end",
            d -> {
              WebElement reply = d.findElement(By.cssSelector(".message.assistant"));
              return "false".equals(reply.getAttribute("data-streaming"))
                  ? reply.findElement(By.cssSelector(".content")).getText()
                  : null;
            });
    assertThat(done.length()).isGreaterThan(early.length());
    assertThat(done).startsWith(early);
  }

  @Test
  @Order(10)
  void twoTextsEmbeddedShowTheirCosineSimilarity() {
    String id =
        gateway.startEngine(
            "{\"model\": \"embed-model\", \"engine_kind\": \"embedding\", \"runtime\": \"mock\"}");
    gateway.awaitState(id, "READY", Duration.ofSeconds(30));
    browser.open(gateway.url() + "/ui#/playground");
    browser.await(
        "embed-model offered",
        d ->
            new Select(d.findElement(By.id("e-model")))
                .getOptions().stream()
                    .anyMatch(o -> "embed-model".equals(o.getAttribute("value"))));
    new Select(browser.find("#e-model")).selectByValue("embed-model");
    browser.find("#e-a").sendKeys("a cat on the mat");
    browser.find("#e-b").sendKeys("a cat on the mat");
    browser.find("#e-submit").click();
    assertThat(browser.awaitText("#e-result", "Cosine").getText()).contains("1.0000");
    browser.find("#e-b").clear();
    browser.find("#e-b").sendKeys("an entirely different sentence");
    browser.find("#e-submit").click();
    String other =
        browser.await(
            "another similarity",
            d -> {
              List<WebElement> value = d.findElements(By.id("e-cosine"));
              return value.isEmpty() || value.get(0).getText().equals("1.0000")
                  ? null
                  : value.get(0).getText();
            });
    assertThat(Double.parseDouble(other)).isBetween(-1.0, 0.9999);
  }

  @Test
  @Order(11)
  void theAuditPageFiltersByAction() {
    browser.find("#nav a[data-page=audit]").click();
    browser.shown("#audit-table");
    browser.screenshot("audit");
    browser.find("#a-action").sendKeys("key.revoke");
    browser.find(".filters button[type=submit]").click();
    browser.await(
        "only key.revoke rows",
        d -> {
          List<WebElement> rows = d.findElements(By.cssSelector("#audit-table tbody tr"));
          return !rows.isEmpty()
              && rows.stream().allMatch(r -> "key.revoke".equals(r.getAttribute("data-action")));
        });
  }

  @Test
  @Order(12)
  void theGpuPageAndANarrowDarkWindowStayUsable() {
    browser.find("#nav a[data-page=gpus]").click();
    browser.shown("tr[data-gpu='0'] .gpubar");
    browser.screenshot("gpus");
    browser.find("#theme").click();
    browser.size(420, 900);
    browser.find("#nav a[data-page=engines]").click();
    browser.shown("#engines-table");
    assertThat(
            (Boolean)
                browser.script(
                    "return document.documentElement.scrollWidth <= window.innerWidth + 1"))
        .as("no sideways scrolling of the page at 420 px")
        .isTrue();
    browser.screenshot("engines-narrow-dark");
    browser.find("#theme").click();
    browser.size(1366, 900);
  }

  @Test
  @Order(13)
  void signOutEndsTheSessionOnTheServer() throws Exception {
    String cookie = browser.driver().manage().getCookieNamed("sage_console").getValue();
    assertThat(withCookie(cookie, "/v1/management/engines").statusCode()).isEqualTo(200);
    browser.find("#signout").click();
    browser.shown("#key");
    assertThat(withCookie(cookie, "/v1/management/engines").statusCode()).isEqualTo(401);
    assertThat(withCookie(cookie, "/v1/console/session").statusCode()).isEqualTo(401);
  }

  @Test
  @Order(14)
  void anInferenceKeySeesThePlaygroundAndItsSessionsAndIsRefusedAdminPagesByTheServer() {
    HttpResponse<String> created =
        send(
            HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/sessions"))
                .header("Authorization", "Bearer " + inferenceKey)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"title\": \"inference notes\"}")));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    browser.open(gateway.url() + "/ui");
    signIn(inferenceKey);
    browser.awaitText("#who", "console-inference");
    browser.shown(".page[data-page=playground]");
    List<String> nav =
        browser.all("#nav a").stream().map(a -> a.getAttribute("data-page")).toList();
    assertThat(nav).containsExactlyInAnyOrder("playground", "sessions");

    browser.find("#nav a[data-page=sessions]").click();
    browser.awaitText("#sessions-table", "inference notes");
    browser.screenshot("sessions");

    browser.open(gateway.url() + "/ui#/engines");
    browser.awaitText(".page[data-page=engines] .error", "403");
    assertThat(browser.find(".page[data-page=engines]").getText())
        .contains("admin key")
        .doesNotContain("chat-model");
    browser.screenshot("inference-refused");

    // the server refuses the actions themselves, CSRF token and all, not just the buttons
    @SuppressWarnings("unchecked")
    Map<String, Object> refused =
        (Map<String, Object>)
            browser.asyncScript(
                "const done = arguments[arguments.length - 1];"
                    + "(async () => {"
                    + " const me = await (await fetch('/v1/console/session')).json();"
                    + " const h = {'x-csrf-token': me.csrf_token, 'Content-Type': 'application/json'};"
                    + " const stop = await fetch('/v1/management/engines/"
                    + third
                    + "/restart', {method: 'POST', headers: h, body: '{}'});"
                    + " const keys = await fetch('/v1/management/keys', {method: 'POST', headers: h,"
                    + "  body: JSON.stringify({name: 'sneaky', scope: 'admin'})});"
                    + " const events = await fetch('/v1/management/events');"
                    + " done({restart: stop.status, key: keys.status, events: events.status,"
                    + "  scope: me.scope, body: await stop.text()});"
                    + "})().catch(e => done({error: String(e)}));");
    assertThat(refused).containsEntry("scope", "inference");
    assertThat(((Number) refused.get("restart")).intValue()).isEqualTo(403);
    assertThat(((Number) refused.get("key")).intValue()).isEqualTo(403);
    assertThat(((Number) refused.get("events")).intValue()).isEqualTo(403);
    assertThat((String) refused.get("body")).contains("insufficient_scope");
    assertThat(gateway.engine(third).get("state").asText()).isEqualTo("STOPPED");
    JsonNode keys = gateway.get("/v1/management/keys").json().get("keys");
    assertThat(keys.findValuesAsText("name")).doesNotContain("sneaky");
  }

  @Test
  @Order(15)
  void aStateChangeWithoutTheCsrfTokenIsRefused() throws Exception {
    String cookie = browser.driver().manage().getCookieNamed("sage_console").getValue();
    HttpResponse<String> noToken =
        send(
            HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/sessions"))
                .header("Cookie", "sage_console=" + cookie)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"title\": \"forged\"}")));
    assertThat(noToken.statusCode()).isEqualTo(403);
    assertThat(noToken.body()).contains("csrf_token_invalid");
    HttpResponse<String> page = withCookie(cookie, "/ui");
    assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow())
        .contains("script-src 'self'")
        .doesNotContain("unsafe-inline");
  }

  private static void signIn(String key) {
    WebElement input = browser.shown("#key");
    input.clear();
    input.sendKeys(key);
    browser.find("form.signin button[type=submit]").click();
    browser.shown("#signout");
  }

  /** Creates an inference key from the form and returns the key the page shows (once). */
  private static String createKey(String name) {
    List<WebElement> before = browser.all("#k-secret");
    String previous = before.isEmpty() ? "" : before.get(0).getText();
    WebElement input = browser.shown("#k-name");
    input.clear();
    input.sendKeys(name);
    new Select(browser.find("#k-scope")).selectByValue("inference");
    browser.find("#k-create").click();
    browser.awaitText("#keys-table", name);
    return browser.await(
        "the new key shown",
        d -> {
          List<WebElement> shown = d.findElements(By.id("k-secret"));
          String text = shown.isEmpty() ? "" : shown.get(0).getText();
          return !text.isEmpty() && !text.equals(previous) ? text : null;
        });
  }

  private static String keyId(String name) {
    for (JsonNode key : gateway.get("/v1/management/keys").json().get("keys")) {
      if (name.equals(key.get("name").asText())) {
        return key.get("id").asText();
      }
    }
    throw new AssertionError("no key named " + name);
  }

  private static HttpResponse<String> withKey(String key, String path) {
    return send(
        HttpRequest.newBuilder(URI.create(gateway.url() + path))
            .header("Authorization", "Bearer " + key));
  }

  private static HttpResponse<String> withCookie(String cookie, String path) {
    return send(
        HttpRequest.newBuilder(URI.create(gateway.url() + path))
            .header("Cookie", "sage_console=" + cookie));
  }

  /** Sends without the admin key {@link Http} would add. */
  private static HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return Http.client()
          .send(
              request.timeout(Duration.ofSeconds(30)).build(),
              HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
