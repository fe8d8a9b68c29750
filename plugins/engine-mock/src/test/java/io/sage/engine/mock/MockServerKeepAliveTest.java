package io.sage.engine.mock;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MockServerKeepAliveTest {

  /** More idle keep-alive connections than the JDK server's default limit (200) all stay open. */
  @Test
  void keepsEveryIdleKeepAliveConnection() throws Exception {
    MockServerConfig config =
        new MockServerConfig(
            "127.0.0.1",
            0,
            "m",
            false,
            MockOptions.parse(Map.of()).options().orElseThrow(),
            Optional.empty());
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    MockServer server =
        MockServer.start(
            config, new MockFaults(config.options(), System.nanoTime(), code -> {}), quiet, quiet);
    List<Socket> sockets = new ArrayList<>();
    try {
      int port = server.address().getPort();
      for (int i = 0; i < 300; i++) {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        sockets.add(socket);
        assertThat(health(socket)).startsWith("HTTP/1.1 200");
      }
      int answered = 0;
      for (Socket socket : sockets) {
        if (health(socket).startsWith("HTTP/1.1 200")) {
          answered++;
        }
      }
      assertThat(answered).isEqualTo(300);
    } finally {
      for (Socket socket : sockets) {
        socket.close();
      }
      server.stop();
    }
  }

  /** One GET /health on a kept-alive socket; returns the response head, or "" if closed. */
  private static String health(Socket socket) throws IOException {
    socket
        .getOutputStream()
        .write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    InputStream in = socket.getInputStream();
    StringBuilder head = new StringBuilder();
    int b;
    while ((b = in.read()) >= 0) {
      head.append((char) b);
      if (head.toString().endsWith("\r\n\r\n")) {
        break;
      }
    }
    if (b < 0) {
      return "";
    }
    String text = head.toString();
    int at = text.toLowerCase().indexOf("content-length:");
    int length = Integer.parseInt(text.substring(at + 15, text.indexOf("\r\n", at)).trim());
    in.readNBytes(length);
    return text;
  }
}
