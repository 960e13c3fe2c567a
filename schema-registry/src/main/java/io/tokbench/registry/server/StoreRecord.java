package io.tokbench.registry.server;

import io.tokbench.registry.CompatibilityLevel;

/**
 * One record of the {@code _schemas} topic, in the meaning Confluent's registry gives it. The JSON
 * encoding is Confluent's own ({@link SchemasTopicCodec}), so a topic written by either registry
 * reads the same in both.
 */
sealed interface StoreRecord {

  /** A subject version; {@code schema == null} is a tombstone (permanent delete). */
  record SchemaVersion(String subject, int version, int id, String schema, boolean deleted) implements StoreRecord {
    boolean isTombstone() {
      return schema == null;
    }
  }

  /** Compatibility config of a subject, or the global one when {@code subject} is null; null level removes it. */
  record Config(String subject, CompatibilityLevel level) implements StoreRecord {}

  /** Soft delete of every version of a subject up to and including {@code upToVersion}. */
  record DeleteSubject(String subject, int upToVersion) implements StoreRecord {}

  /** A record this registry does not interpret (MODE, NOOP, CLEAR_SUBJECT, ...); skipped. */
  record Other(String keyType) implements StoreRecord {}
}
