package io.tokbench.registry.server;

import io.tokbench.registry.CompatibilityLevel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The registry's contents, rebuilt by replaying the {@code _schemas} topic in order. Every instance
 * replays the same log, so every instance reaches the same state: that is how several registry
 * instances agree without a leader.
 *
 * <p>Writers do not coordinate; they append and then check. When two instances race for the same
 * subject version or hand the same new id to different schemas, the record earlier in the log wins
 * and the later one is ignored on replay by everyone, and its writer retries. Not thread-safe: the
 * caller ({@link SchemaStore}) guards it.
 */
final class RegistryState {
  /** One version of a subject. */
  record Version(String subject, int version, int id, String schema, boolean deleted) {}

  private final Map<Integer, String> schemaById = new HashMap<>();
  private final Map<String, Integer> idBySchema = new HashMap<>();
  private final Map<String, NavigableMap<Integer, Version>> subjects = new TreeMap<>();
  private final Map<String, CompatibilityLevel> subjectLevels = new HashMap<>();
  private CompatibilityLevel globalLevel;
  private final CompatibilityLevel defaultLevel;

  RegistryState(CompatibilityLevel defaultLevel) {
    this.defaultLevel = defaultLevel;
    this.globalLevel = defaultLevel;
  }

  void apply(StoreRecord record) {
    if (record instanceof StoreRecord.SchemaVersion v) {
      applyVersion(v);
    } else if (record instanceof StoreRecord.Config c) {
      if (c.subject() == null) {
        globalLevel = c.level() == null ? defaultLevel : c.level();
      } else if (c.level() == null) {
        subjectLevels.remove(c.subject());
      } else {
        subjectLevels.put(c.subject(), c.level());
      }
    } else if (record instanceof StoreRecord.DeleteSubject d) {
      NavigableMap<Integer, Version> versions = subjects.get(d.subject());
      if (versions != null) {
        versions.headMap(d.upToVersion(), true).replaceAll((n, v) -> new Version(v.subject(), n, v.id(), v.schema(), true));
      }
      subjectLevels.remove(d.subject());
    }
  }

  private void applyVersion(StoreRecord.SchemaVersion v) {
    NavigableMap<Integer, Version> versions = subjects.get(v.subject());
    if (v.isTombstone()) {
      if (versions != null) {
        versions.remove(v.version());
        if (versions.isEmpty()) {
          subjects.remove(v.subject());
        }
      }
      return;
    }
    String holder = schemaById.get(v.id());
    if (holder != null && !holder.equals(v.schema())) {
      return; // lost an id race: that id already names another schema
    }
    Version existing = versions == null ? null : versions.get(v.version());
    if (existing != null && (existing.id() != v.id() || !existing.schema().equals(v.schema()))) {
      return; // lost a version race: that subject version already holds another schema
    }
    schemaById.put(v.id(), v.schema());
    idBySchema.putIfAbsent(v.schema(), v.id());
    subjects.computeIfAbsent(v.subject(), s -> new TreeMap<>())
        .put(v.version(), new Version(v.subject(), v.version(), v.id(), v.schema(), v.deleted()));
  }

  Optional<String> schemaById(int id) {
    return Optional.ofNullable(schemaById.get(id));
  }

  /** The id already given to this exact schema under any subject. */
  Optional<Integer> idOf(String canonicalSchema) {
    return Optional.ofNullable(idBySchema.get(canonicalSchema));
  }

  int nextId() {
    return schemaById.keySet().stream().mapToInt(Integer::intValue).max().orElse(0) + 1;
  }

  /** Versions of a subject, oldest first, soft-deleted ones only when asked. */
  List<Version> versions(String subject, boolean includeDeleted) {
    NavigableMap<Integer, Version> versions = subjects.get(subject);
    if (versions == null) {
      return List.of();
    }
    List<Version> result = new ArrayList<>();
    for (Version v : versions.values()) {
      if (includeDeleted || !v.deleted()) {
        result.add(v);
      }
    }
    return result;
  }

  /** The next version number: numbering continues past soft-deleted versions, as in Confluent. */
  int nextVersion(String subject) {
    NavigableMap<Integer, Version> versions = subjects.get(subject);
    return versions == null || versions.isEmpty() ? 1 : versions.lastKey() + 1;
  }

  List<String> subjects(boolean includeDeleted) {
    List<String> result = new ArrayList<>();
    for (String subject : subjects.keySet()) {
      if (includeDeleted || !versions(subject, false).isEmpty()) {
        result.add(subject);
      }
    }
    return result;
  }

  Optional<CompatibilityLevel> subjectLevel(String subject) {
    return Optional.ofNullable(subjectLevels.get(subject));
  }

  CompatibilityLevel globalLevel() {
    return globalLevel;
  }

  CompatibilityLevel effectiveLevel(String subject) {
    return subjectLevels.getOrDefault(subject, globalLevel);
  }
}
