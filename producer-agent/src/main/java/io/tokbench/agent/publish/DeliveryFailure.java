package io.tokbench.agent.publish;

/** Why reports could not be delivered, in terms a contributor can act on. */
public record DeliveryFailure(Kind kind, String message) {
  /** The kinds of failure the CLI maps to exit codes. */
  public enum Kind {
    /** The broker or the registry did not answer in time. */
    UNREACHABLE,
    /** The broker refused the credentials. */
    AUTHENTICATION,
    /** The broker or registry refused the request (authorization, incompatible schema, ...). */
    REFUSED
  }
}
