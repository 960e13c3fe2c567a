package io.tokbench.serde;

import java.util.regex.Pattern;

/** Turns an exception into words for the contributor: no Java class names, no stack frames. */
public final class ForPeople {
  /** A qualified Java name ("org.apache.avro.AvroTypeException", "java.io.EOFException:"). */
  private static final Pattern QUALIFIED_CLASS = Pattern.compile("\\b(?:[a-z][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_$]*(?:: ?)?");
  private static final int MAX_LENGTH = 300;
  private static final int SHOWN_CHARACTERS = 40;

  private ForPeople() {}

  /** The exception's message without class names, or a plain description of its kind. */
  public static String describe(Throwable e) {
    String message = e.getMessage();
    if (message == null || message.isBlank()) {
      return e instanceof java.io.EOFException ? "the body ends too early" : "the data does not match the schema";
    }
    String cleaned = QUALIFIED_CLASS.matcher(message).replaceAll("").replaceAll("\\s+", " ").trim();
    if (cleaned.isEmpty()) {
      return "the data does not match the schema";
    }
    return cleaned.length() > MAX_LENGTH ? cleaned.substring(0, MAX_LENGTH) + "…" : cleaned;
  }

  /** A value as a person may see it in a message: control characters escaped, long values cut. */
  public static String shown(String value) {
    StringBuilder out = new StringBuilder();
    value.codePoints().limit(SHOWN_CHARACTERS).forEach(c -> {
      if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT) {
        out.append(String.format("\\u%04X", c));
      } else {
        out.appendCodePoint(c);
      }
    });
    return value.codePointCount(0, value.length()) > SHOWN_CHARACTERS ? out + "…" : out.toString();
  }
}
