package io.tokbench.aggregator.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A request line sent byte for byte, for paths no URI class would build (a raw '<', a lone '%'):
 * what a hostile client can send, the server must answer.
 */
public final class RawHttp {
  private RawHttp() {}

  /** Status code and body of the answer. */
  public record Answer(int status, String headers, String body) {}

  public static Answer get(int port, String rawTarget) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(("GET " + rawTarget + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = socket.getInputStream();
      String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      int headersEnd = response.indexOf("\r\n\r\n");
      String head = headersEnd < 0 ? response : response.substring(0, headersEnd);
      String body = headersEnd < 0 ? "" : response.substring(headersEnd + 4);
      if (head.toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding: chunked")) {
        body = unchunk(body);
      }
      return new Answer(Integer.parseInt(head.substring(9, 12)), head, body);
    }
  }

  private static String unchunk(String chunked) {
    StringBuilder body = new StringBuilder();
    int i = 0;
    while (i < chunked.length()) {
      int lineEnd = chunked.indexOf("\r\n", i);
      int size = Integer.parseInt(chunked.substring(i, lineEnd).trim(), 16);
      if (size == 0) {
        break;
      }
      body.append(chunked, lineEnd + 2, lineEnd + 2 + size);
      i = lineEnd + 2 + size + 2;
    }
    return body.toString();
  }
}
