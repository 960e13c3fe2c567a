package io.tokbench.registry.server;

import io.tokbench.registry.CompatibilityLevel;
import io.tokbench.registry.RegistryError;
import io.tokbench.registry.server.RegistryState.Version;
import java.util.List;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * The registry's operations with Confluent's semantics, on top of the Kafka-backed store. Schemas
 * are compared in Avro's canonical JSON ({@link Schema#toString()}), as Confluent does: formatting
 * differences collapse, docs and defaults still count.
 */
final class RegistryService {
  private static final int MAX_WRITE_ATTEMPTS = 10;

  private final SchemaStore store;
  private final Object writeLock = new Object();

  RegistryService(SchemaStore store) {
    this.store = store;
  }

  /** Registers a schema under a subject, or returns the id it already has there. */
  int register(String subject, String schemaText) {
    Schema schema = parse(schemaText);
    String canonical = schema.toString();
    // Writes from this instance go one at a time; races with other instances are settled by the log.
    synchronized (writeLock) {
      for (int attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
        StoreRecord.SchemaVersion proposal =
            store.read(
                state -> {
                  for (Version v : state.versions(subject, false)) {
                    if (v.schema().equals(canonical)) {
                      return new StoreRecord.SchemaVersion(subject, v.version(), v.id(), canonical, false);
                    }
                  }
                  List<String> problems = state.effectiveLevel(subject).check(schema, parsed(state.versions(subject, false)));
                  if (!problems.isEmpty()) {
                    throw new RegistryProblem(
                        RegistryError.INCOMPATIBLE_SCHEMA,
                        "Schema being registered is incompatible with an earlier schema for subject \"" + subject + "\", details: " + problems);
                  }
                  int id = state.idOf(canonical).orElseGet(state::nextId);
                  return new StoreRecord.SchemaVersion(subject, state.nextVersion(subject), id, canonical, false);
                });
        boolean alreadyThere = store.readLocal(state -> isHeld(state, proposal));
        if (alreadyThere) {
          return proposal.id();
        }
        store.append(proposal);
        if (store.readLocal(state -> isHeld(state, proposal))) {
          return proposal.id();
        }
        // Another instance won the race for this version or id; the log now says who: try again.
      }
    }
    throw new RegistryProblem(RegistryError.STORE_ERROR, "Register operation kept conflicting with concurrent writers; try again");
  }

  private static boolean isHeld(RegistryState state, StoreRecord.SchemaVersion proposal) {
    return state.versions(proposal.subject(), false).stream()
        .anyMatch(v -> v.version() == proposal.version() && v.id() == proposal.id() && v.schema().equals(proposal.schema()));
  }

  /** The version of a subject holding exactly this schema. */
  Version lookup(String subject, String schemaText, boolean includeDeleted) {
    String canonical = parse(schemaText).toString();
    return store.read(
        state -> {
          List<Version> versions = state.versions(subject, includeDeleted);
          if (versions.isEmpty()) {
            throw RegistryProblem.subjectNotFound(subject);
          }
          return versions.stream()
              .filter(v -> v.schema().equals(canonical))
              .reduce((first, second) -> second)
              .orElseThrow(RegistryProblem::schemaNotFound);
        });
  }

  /** A schema by global id; ids never change meaning, so a local hit needs no catch-up. */
  String schemaById(int id) {
    return store.readLocal(state -> state.schemaById(id))
        .or(() -> store.read(state -> state.schemaById(id)))
        .orElseThrow(() -> new RegistryProblem(RegistryError.SCHEMA_NOT_FOUND, "Schema " + id + " not found"));
  }

  List<String> subjects(boolean includeDeleted) {
    return store.read(state -> state.subjects(includeDeleted));
  }

  List<Integer> versions(String subject, boolean includeDeleted) {
    List<Version> versions = store.read(state -> state.versions(subject, includeDeleted));
    if (versions.isEmpty()) {
      throw RegistryProblem.subjectNotFound(subject);
    }
    return versions.stream().map(Version::version).toList();
  }

  /** One version: a positive number, or "latest" / -1 for the newest live version. */
  Version version(String subject, String version, boolean includeDeleted) {
    Optional<Integer> number = versionNumber(version);
    List<Version> versions = store.read(state -> state.versions(subject, includeDeleted));
    if (versions.isEmpty()) {
      throw RegistryProblem.subjectNotFound(subject);
    }
    if (number.isEmpty()) {
      return versions.get(versions.size() - 1);
    }
    return versions.stream()
        .filter(v -> v.version() == number.get())
        .findFirst()
        .orElseThrow(() -> RegistryProblem.versionNotFound(version));
  }

  CompatibilityLevel globalLevel() {
    return store.read(RegistryState::globalLevel);
  }

  CompatibilityLevel subjectLevel(String subject, boolean defaultToGlobal) {
    return store.read(
        state ->
            state.subjectLevel(subject)
                .or(() -> defaultToGlobal ? Optional.of(state.globalLevel()) : Optional.empty())
                .orElseThrow(
                    () ->
                        new RegistryProblem(
                            RegistryError.SUBJECT_LEVEL_COMPATIBILITY_NOT_CONFIGURED,
                            "Subject '" + subject + "' does not have subject-level compatibility configured")));
  }

  /** Sets a subject's level, or the global one when subject is null; null level removes it. */
  void setLevel(String subject, CompatibilityLevel level) {
    synchronized (writeLock) {
      store.append(new StoreRecord.Config(subject, level));
    }
  }

  /** Incompatibilities between a schema and one version (or the latest); empty when compatible. */
  List<String> compatibilityProblems(String subject, String version, String schemaText) {
    Schema schema = parse(schemaText);
    Optional<Integer> number = versionNumber(version);
    return store.read(
        state -> {
          List<Version> versions = state.versions(subject, false);
          if (versions.isEmpty()) {
            if (number.isEmpty()) {
              return List.<String>of();
            }
            throw RegistryProblem.subjectNotFound(subject);
          }
          Version against =
              number.isEmpty()
                  ? versions.get(versions.size() - 1)
                  : versions.stream().filter(v -> v.version() == number.get()).findFirst()
                      .orElseThrow(() -> RegistryProblem.versionNotFound(version));
          return state.effectiveLevel(subject).check(schema, List.of(new Schema.Parser().parse(against.schema())));
        });
  }

  /** Soft-deletes a subject, or removes it for good when it was soft-deleted before. */
  List<Integer> deleteSubject(String subject, boolean permanent) {
    synchronized (writeLock) {
      List<Version> all = store.read(state -> state.versions(subject, true));
      if (all.isEmpty()) {
        throw RegistryProblem.subjectNotFound(subject);
      }
      boolean anyLive = all.stream().anyMatch(v -> !v.deleted());
      if (!permanent) {
        if (!anyLive) {
          throw new RegistryProblem(
              RegistryError.SUBJECT_SOFT_DELETED,
              "Subject '" + subject + "' was soft deleted.Set permanent=true to delete permanently");
        }
        List<Integer> live = all.stream().filter(v -> !v.deleted()).map(Version::version).toList();
        store.append(new StoreRecord.DeleteSubject(subject, all.get(all.size() - 1).version()));
        return live;
      }
      if (anyLive) {
        throw new RegistryProblem(
            RegistryError.SUBJECT_NOT_SOFT_DELETED,
            "Subject '" + subject + "' was not deleted first before being permanently deleted");
      }
      for (Version v : all) {
        store.append(new StoreRecord.SchemaVersion(subject, v.version(), v.id(), null, true));
      }
      return all.stream().map(Version::version).toList();
    }
  }

  private static Optional<Integer> versionNumber(String version) {
    if ("latest".equalsIgnoreCase(version) || "-1".equals(version)) {
      return Optional.empty();
    }
    try {
      int number = Integer.parseInt(version);
      if (number < 1) {
        throw RegistryProblem.invalidVersion(version);
      }
      return Optional.of(number);
    } catch (NumberFormatException e) {
      throw RegistryProblem.invalidVersion(version);
    }
  }

  private static List<Schema> parsed(List<Version> versions) {
    return versions.stream().map(v -> new Schema.Parser().parse(v.schema())).toList();
  }

  static Schema parse(String schemaText) {
    if (schemaText == null || schemaText.isBlank()) {
      throw new RegistryProblem(RegistryError.INVALID_SCHEMA, "Invalid schema: the request has no schema");
    }
    try {
      return new Schema.Parser().parse(schemaText);
    } catch (SchemaParseException | NullPointerException e) {
      throw new RegistryProblem(RegistryError.INVALID_SCHEMA, "Invalid schema " + schemaText + ": " + e.getMessage());
    }
  }
}
