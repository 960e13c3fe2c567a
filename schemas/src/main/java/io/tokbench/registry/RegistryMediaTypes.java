package io.tokbench.registry;

/** Content types of the Confluent Schema Registry REST protocol. */
public final class RegistryMediaTypes {
  /** The type Confluent's clients send and prefer. */
  public static final String V1_JSON = "application/vnd.schemaregistry.v1+json";
  /** Accepted as an alias of {@link #V1_JSON}. */
  public static final String JSON = "application/json";
  /** Unversioned alias Confluent also accepts. */
  public static final String GENERIC_JSON = "application/vnd.schemaregistry+json";

  private RegistryMediaTypes() {}
}
