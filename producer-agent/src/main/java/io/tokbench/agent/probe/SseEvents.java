package io.tokbench.agent.probe;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Server-sent events as the HTML standard defines them (WHATWG HTML, "Server-sent events",
 * event stream interpretation): {@code field: value} lines, one optional space after the colon,
 * several {@code data} lines joined by newlines, comments starting with ':', an event dispatched
 * at a blank line. Older llama-server builds sent a failure as an {@code error: {...}} field; it is
 * read as an event named "error". The last event is dispatched even when the stream ends without
 * its blank line, as an interrupted runtime may leave it.
 */
final class SseEvents {
  private SseEvents() {}

  /** One event: its name ("message" unless the stream names it) and its data. */
  record Event(String name, String data) {
    boolean isError() {
      return name.equals("error");
    }
  }

  /** Reads events lazily; an I/O failure surfaces as {@link UncheckedIOException}. */
  static Iterator<Event> read(BufferedReader reader) {
    return new Iterator<>() {
      private Event next;
      private boolean ended;

      @Override
      public boolean hasNext() {
        if (next == null && !ended) {
          next = readEvent();
        }
        return next != null;
      }

      @Override
      public Event next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        Event event = next;
        next = null;
        return event;
      }

      private Event readEvent() {
        StringBuilder data = null;
        String name = "message";
        try {
          String line;
          while ((line = reader.readLine()) != null) {
            if (line.isEmpty()) {
              if (data != null) {
                return new Event(name, data.toString());
              }
              name = "message";
              continue;
            }
            if (line.startsWith(":")) {
              continue;
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            if (value.startsWith(" ")) {
              value = value.substring(1);
            }
            switch (field) {
              case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
              case "event" -> name = value;
              case "error" -> {
                name = "error";
                data = new StringBuilder(value);
              }
              default -> { } // id, retry and unknown fields do not matter here
            }
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        ended = true;
        return data == null ? null : new Event(name, data.toString());
      }
    };
  }
}
