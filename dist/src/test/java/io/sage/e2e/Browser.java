package io.sage.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real headless Chromium (Debian's {@code chromium} and {@code chromedriver}) with a fresh
 * profile, driven through Selenium; {@link #close()} quits it and deletes the profile.
 */
final class Browser implements AutoCloseable {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  private final Path profile;
  private final ChromeDriver driver;
  private final Path screenshots;

  /** Whether the browser and its driver are installed (the tests skip only when they are not). */
  static boolean available() {
    return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
  }

  Browser(Path screenshots) {
    this.screenshots = screenshots;
    try {
      profile = Files.createTempDirectory("sage-chromium-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-quic",
        "--no-first-run",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1366,900",
        "--user-data-dir=" + profile);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .build();
    driver = new ChromeDriver(service, options);
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
  }

  WebDriver driver() {
    return driver;
  }

  /** Loads the page afresh, also when only the fragment differs from the current address. */
  void open(String url) {
    driver.get("about:blank");
    driver.get(url);
  }

  /** Waits (polling every 100 ms) until the condition gives a non-null, non-false value. */
  <T> T await(Duration timeout, String what, Function<WebDriver, T> condition) {
    // pages re-render live: an element found a moment ago may be replaced before it is read
    return new WebDriverWait(driver, timeout, Duration.ofMillis(100))
        .ignoring(StaleElementReferenceException.class)
        .withMessage(() -> what + "; page text:\n" + pageText())
        .until(condition);
  }

  <T> T await(String what, Function<WebDriver, T> condition) {
    return await(Duration.ofSeconds(20), what, condition);
  }

  WebElement find(String css) {
    return driver.findElement(By.cssSelector(css));
  }

  List<WebElement> all(String css) {
    return driver.findElements(By.cssSelector(css));
  }

  /** The element, once it is displayed. */
  WebElement shown(String css) {
    return await(
        "element " + css + " shown",
        d ->
            d.findElements(By.cssSelector(css)).stream()
                .filter(WebElement::isDisplayed)
                .findFirst()
                .orElse(null));
  }

  /** Waits until the element's text contains {@code text}. */
  WebElement awaitText(String css, String text) {
    return await(
        "text '" + text + "' in " + css,
        d ->
            d.findElements(By.cssSelector(css)).stream()
                .filter(e -> e.getText().contains(text))
                .findFirst()
                .orElse(null));
  }

  Object script(String js, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(js, args);
  }

  Object asyncScript(String js, Object... args) {
    return ((JavascriptExecutor) driver).executeAsyncScript(js, args);
  }

  void size(int width, int height) {
    driver.manage().window().setSize(new Dimension(width, height));
  }

  /**
   * Saves a PNG of the whole page (the window made as tall as the page, up to 2400 px, for the
   * shot) as {@code <name>.png} in the screenshot folder.
   */
  Path screenshot(String name) {
    Dimension window = driver.manage().window().getSize();
    try {
      Files.createDirectories(screenshots);
      Path file = screenshots.resolve(name + ".png");
      long content = ((Number) script("return document.documentElement.scrollHeight")).longValue();
      int extra = window.getHeight() - ((Number) script("return window.innerHeight")).intValue();
      int tall = (int) Math.min(2400, Math.max(window.getHeight(), content + extra));
      if (tall != window.getHeight()) {
        size(window.getWidth(), tall);
      }
      script("window.scrollTo(0, 0)");
      Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      driver.manage().window().setSize(window);
    }
  }

  String pageText() {
    try {
      return driver.findElement(By.tagName("body")).getText();
    } catch (RuntimeException e) {
      return "(no page: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      try (var files = Files.walk(profile)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        // a temp profile left behind is harmless
      }
    }
  }
}
