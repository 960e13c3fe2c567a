package io.tokbench.agent.probe;

/** The runtime does not have the requested model. */
public class ModelNotFoundException extends RuntimeException {
  private final String model;

  public ModelNotFoundException(String model, String message) {
    super(message);
    this.model = model;
  }

  public String model() {
    return model;
  }
}
