package io.tokbench.registry;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;

/**
 * Confluent's compatibility levels, decided with Avro's own {@link SchemaCompatibility}.
 *
 * <p>BACKWARD means consumers using the new schema can read data written with the old one (the new
 * schema is the reader); FORWARD the reverse; FULL both. The non-transitive levels compare with the
 * latest registered version only, the transitive ones with every version.
 */
public enum CompatibilityLevel {
  NONE(false, false, false),
  BACKWARD(true, false, false),
  BACKWARD_TRANSITIVE(true, false, true),
  FORWARD(false, true, false),
  FORWARD_TRANSITIVE(false, true, true),
  FULL(true, true, false),
  FULL_TRANSITIVE(true, true, true);

  private final boolean newReadsOld;
  private final boolean oldReadsNew;
  private final boolean transitive;

  CompatibilityLevel(boolean newReadsOld, boolean oldReadsNew, boolean transitive) {
    this.newReadsOld = newReadsOld;
    this.oldReadsNew = oldReadsNew;
    this.transitive = transitive;
  }

  /** Parses a level name as Confluent spells it; case-insensitive. */
  public static CompatibilityLevel parse(String name) {
    if (name == null) {
      throw new IllegalArgumentException("compatibility level is missing");
    }
    try {
      return valueOf(name.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Invalid compatibility level: " + name, e);
    }
  }

  /**
   * Checks a candidate schema against the versions already registered, oldest first.
   *
   * @return one message per incompatibility; empty when the candidate is acceptable
   */
  public List<String> check(Schema candidate, List<Schema> existingOldestFirst) {
    if (this == NONE || existingOldestFirst.isEmpty()) {
      return List.of();
    }
    List<Schema> against =
        transitive
            ? existingOldestFirst
            : List.of(existingOldestFirst.get(existingOldestFirst.size() - 1));
    List<String> problems = new ArrayList<>();
    for (Schema existing : against) {
      if (newReadsOld) {
        describe(candidate, existing, "the new schema cannot read data written with", problems);
      }
      if (oldReadsNew) {
        describe(existing, candidate, "data written with the new schema cannot be read by", problems);
      }
    }
    return problems;
  }

  private static void describe(Schema reader, Schema writer, String what, List<String> problems) {
    SchemaCompatibility.SchemaPairCompatibility result =
        SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
    if (result.getType() == SchemaCompatibilityType.COMPATIBLE) {
      return;
    }
    for (Incompatibility incompatibility : result.getResult().getIncompatibilities()) {
      problems.add(
          String.format(
              "%s an earlier version: %s at %s (%s)",
              what,
              incompatibility.getType(),
              incompatibility.getLocation(),
              incompatibility.getMessage()));
    }
  }
}
