package io.tokbench.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokbench.registry.CompatibilityLevel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The evolution rules, enforced: every schema under src/main/avro has its released versions under
 * history/NAME/vN.avsc, the current file is the newest of them, and it is FULL_TRANSITIVE compatible
 * with every one (new readers read old data, and old readers read new data, because agents and
 * aggregators upgrade independently).
 */
class SchemaHistoryTest {
  private static final Path CURRENT = Path.of("src/main/avro");
  private static final Path HISTORY = Path.of("history");

  static Stream<String> schemaNames() throws IOException {
    try (Stream<Path> files = Files.list(CURRENT)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".avsc")).map(n -> n.replace(".avsc", "")).sorted().toList().stream();
    }
  }

  @ParameterizedTest
  @MethodSource("schemaNames")
  void currentSchemaIsCompatibleWithEveryReleasedVersion(String name) throws IOException {
    List<String> problems = CompatibilityLevel.FULL_TRANSITIVE.check(parse(CURRENT.resolve(name + ".avsc")), released(name));
    assertThat(problems).as("incompatibilities of %s with its history", name).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("schemaNames")
  void currentSchemaIsReleasedAsTheNewestVersion(String name) throws IOException {
    List<Schema> released = released(name);
    assertThat(released).as("history/%s must hold at least v1", name).isNotEmpty();
    assertThat(parse(CURRENT.resolve(name + ".avsc")).toString())
        .as("src/main/avro/%s.avsc changed: copy it to history/%s/v%d.avsc to release it", name, name, released.size() + 1)
        .isEqualTo(released.get(released.size() - 1).toString());
  }

  @Test
  void historyVersionsAreNumberedWithoutGaps() throws IOException {
    for (String name : schemaNames().toList()) {
      List<Path> files = versionFiles(name);
      for (int i = 0; i < files.size(); i++) {
        assertThat(files.get(i).getFileName().toString()).isEqualTo("v" + (i + 1) + ".avsc");
      }
    }
  }

  @Test
  void benchmarkReportHasEvolvedAtLeastOnce() throws IOException {
    // The old-writer/new-reader tests depend on a real earlier version existing.
    assertThat(released("BenchmarkReport")).hasSizeGreaterThanOrEqualTo(2);
  }

  @ParameterizedTest
  @MethodSource("incompatibleFixtures")
  void aDeliberatelyIncompatibleChangeIsRefused(Path fixture) throws IOException {
    List<String> problems = CompatibilityLevel.FULL_TRANSITIVE.check(parse(fixture), released("BenchmarkReport"));
    assertThat(problems).as("the checker must refuse %s", fixture.getFileName()).isNotEmpty();
    assertThat(CompatibilityLevel.BACKWARD_TRANSITIVE.check(parse(fixture), released("BenchmarkReport")))
        .as("new readers cannot read old data")
        .isNotEmpty();
  }

  @Test
  void problemsNameTheOffendingField() throws IOException {
    Path fixture = Path.of("src/test/resources/incompatible/BenchmarkReport-required-field-without-default.avsc");
    assertThat(CompatibilityLevel.BACKWARD.check(parse(fixture), released("BenchmarkReport")))
        .anySatisfy(problem -> assertThat(problem).contains("contributorCountry").contains("READER_FIELD_MISSING_DEFAULT_VALUE"));
  }

  static Stream<Path> incompatibleFixtures() throws IOException {
    try (Stream<Path> files = Files.list(Path.of("src/test/resources/incompatible"))) {
      return files.sorted().toList().stream();
    }
  }

  private static List<Schema> released(String name) throws IOException {
    List<Schema> schemas = new ArrayList<>();
    for (Path file : versionFiles(name)) {
      schemas.add(parse(file));
    }
    return schemas;
  }

  private static List<Path> versionFiles(String name) throws IOException {
    Path dir = HISTORY.resolve(name);
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(p -> p.getFileName().toString().matches("v\\d+\\.avsc"))
          .sorted(Comparator.comparingInt(p -> Integer.parseInt(p.getFileName().toString().replaceAll("\\D", ""))))
          .toList();
    }
  }

  private static Schema parse(Path file) throws IOException {
    return new Schema.Parser().parse(file.toFile());
  }
}
