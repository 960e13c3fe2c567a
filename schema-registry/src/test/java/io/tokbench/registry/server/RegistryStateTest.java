package io.tokbench.registry.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokbench.registry.CompatibilityLevel;
import io.tokbench.registry.server.RegistryState.Version;
import org.junit.jupiter.api.Test;

/** Replaying the log gives every instance the same answer, including after write races. */
class RegistryStateTest {
  private final RegistryState state = new RegistryState(CompatibilityLevel.BACKWARD);

  @Test
  void idsAreGlobalAndVersionsPerSubject() {
    state.apply(new StoreRecord.SchemaVersion("a-value", 1, 1, "\"string\"", false));
    state.apply(new StoreRecord.SchemaVersion("b-value", 1, 1, "\"string\"", false));
    state.apply(new StoreRecord.SchemaVersion("a-value", 2, 2, "\"int\"", false));

    assertThat(state.idOf("\"string\"")).contains(1);
    assertThat(state.nextId()).isEqualTo(3);
    assertThat(state.nextVersion("a-value")).isEqualTo(3);
    assertThat(state.versions("a-value", false)).extracting(Version::id).containsExactly(1, 2);
    assertThat(state.subjects(false)).containsExactly("a-value", "b-value");
  }

  @Test
  void theEarlierWriterWinsARaceForAVersion() {
    // Two instances both proposed version 1 of the subject, with different schemas and ids.
    state.apply(new StoreRecord.SchemaVersion("s", 1, 1, "\"string\"", false));
    state.apply(new StoreRecord.SchemaVersion("s", 1, 2, "\"long\"", false));

    assertThat(state.versions("s", true)).containsExactly(new Version("s", 1, 1, "\"string\"", false));
    assertThat(state.schemaById(2)).isEmpty();
  }

  @Test
  void theEarlierWriterWinsARaceForAnId() {
    // Two instances gave id 1 to different schemas under different subjects.
    state.apply(new StoreRecord.SchemaVersion("a", 1, 1, "\"string\"", false));
    state.apply(new StoreRecord.SchemaVersion("b", 1, 1, "\"long\"", false));

    assertThat(state.schemaById(1)).contains("\"string\"");
    assertThat(state.versions("b", true)).isEmpty();
  }

  @Test
  void softDeleteHidesVersionsButKeepsNumberingAndIds() {
    state.apply(new StoreRecord.SchemaVersion("s", 1, 1, "\"string\"", false));
    state.apply(new StoreRecord.SchemaVersion("s", 2, 2, "\"long\"", false));
    state.apply(new StoreRecord.Config("s", CompatibilityLevel.NONE));
    state.apply(new StoreRecord.DeleteSubject("s", 2));

    assertThat(state.versions("s", false)).isEmpty();
    assertThat(state.versions("s", true)).extracting(Version::deleted).containsExactly(true, true);
    assertThat(state.subjects(false)).isEmpty();
    assertThat(state.subjects(true)).containsExactly("s");
    assertThat(state.nextVersion("s")).isEqualTo(3);
    assertThat(state.schemaById(2)).contains("\"long\"");
    assertThat(state.subjectLevel("s")).as("a soft delete drops the subject's config").isEmpty();
  }

  @Test
  void tombstonesRemoveVersionsForGoodButIdsStillResolve() {
    state.apply(new StoreRecord.SchemaVersion("s", 1, 1, "\"string\"", false));
    state.apply(new StoreRecord.DeleteSubject("s", 1));
    state.apply(new StoreRecord.SchemaVersion("s", 1, 0, null, true));

    assertThat(state.subjects(true)).isEmpty();
    assertThat(state.schemaById(1)).as("ids never change meaning, even after a hard delete").contains("\"string\"");
  }

  @Test
  void subjectConfigOverridesGlobalAndTombstoneRestoresDefault() {
    state.apply(new StoreRecord.Config(null, CompatibilityLevel.FULL));
    state.apply(new StoreRecord.Config("s", CompatibilityLevel.NONE));
    assertThat(state.effectiveLevel("s")).isEqualTo(CompatibilityLevel.NONE);
    assertThat(state.effectiveLevel("t")).isEqualTo(CompatibilityLevel.FULL);

    state.apply(new StoreRecord.Config("s", null));
    state.apply(new StoreRecord.Config(null, null));
    assertThat(state.effectiveLevel("s")).isEqualTo(CompatibilityLevel.BACKWARD);
  }
}
