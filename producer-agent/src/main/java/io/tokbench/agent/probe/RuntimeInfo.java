package io.tokbench.agent.probe;

import java.util.Optional;

/** What a runtime says about itself. */
public record RuntimeInfo(String name, Optional<String> version) {}
