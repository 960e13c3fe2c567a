package io.tokbench.serde;

import io.tokbench.registry.client.RegistryClientConfig;
import java.util.Map;

/**
 * Serde configuration keys, named as Confluent's where they mean the same so configurations move
 * between the two without edits. Registry connection keys live in {@link RegistryClientConfig}.
 */
public final class SerdeConfig {
  /** Register the writer schema on first use (default true); otherwise it must already exist. */
  public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";
  /** Fully qualified name of the generated class a value deserializer decodes into. */
  public static final String SPECIFIC_AVRO_VALUE_TYPE = "specific.avro.value.type";
  /** Fully qualified name of the generated class a key deserializer decodes into. */
  public static final String SPECIFIC_AVRO_KEY_TYPE = "specific.avro.key.type";

  private SerdeConfig() {}

  static boolean booleanValue(Map<String, ?> configs, String key, boolean fallback) {
    Object value = configs.get(key);
    return value == null ? fallback : Boolean.parseBoolean(value.toString().trim());
  }

  /** Topic name strategy: the subject of a topic's keys or values. */
  public static String subject(String topic, boolean isKey) {
    return topic + (isKey ? "-key" : "-value");
  }
}
