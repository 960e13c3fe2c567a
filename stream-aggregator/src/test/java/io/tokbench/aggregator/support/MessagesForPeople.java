package io.tokbench.aggregator.support;

import java.util.regex.Pattern;

/** What a message for people must never hold. */
public final class MessagesForPeople {
  /** A qualified Java class name, an exception's name or a stack frame. */
  public static final Pattern JAVA_INTERNALS = Pattern.compile(
      "\\b(java|javax|org\\.apache|io\\.tokbench|com\\.fasterxml)\\.[\\w.$]*[A-Z]|Exception|\\bat [\\w$.]+\\([\\w$]+\\.java:\\d+\\)");

  private MessagesForPeople() {}
}
