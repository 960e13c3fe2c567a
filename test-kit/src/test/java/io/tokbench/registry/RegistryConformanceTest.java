package io.tokbench.registry;

import static io.tokbench.registry.RawRegistry.schemaBody;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tokbench.registry.RawRegistry.Answer;
import io.tokbench.testkit.KafkaStack;
import io.tokbench.testkit.WithKafkaStack;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Confluent REST protocol as clients rely on it: status codes, {@code error_code}s, bodies and
 * content types, per Confluent's API reference (docs.confluent.io "Schema Registry API Reference")
 * and its source (confluentinc/schema-registry, rest/exceptions/Errors.java). Runs against whatever
 * registry the stack provides: this project's, or Confluent's own image where Docker is available.
 */
@WithKafkaStack
class RegistryConformanceTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String V1 =
      "{\"type\":\"record\",\"name\":\"Probe\",\"namespace\":\"t\",\"fields\":[{\"name\":\"tps\",\"type\":\"double\"}]}";
  private static final String V2_WITH_DEFAULT =
      "{\"type\":\"record\",\"name\":\"Probe\",\"namespace\":\"t\",\"fields\":[{\"name\":\"tps\",\"type\":\"double\"},"
          + "{\"name\":\"gpu\",\"type\":[\"null\",\"string\"],\"default\":null}]}";
  private static final String V2_REQUIRED_FIELD =
      "{\"type\":\"record\",\"name\":\"Probe\",\"namespace\":\"t\",\"fields\":[{\"name\":\"tps\",\"type\":\"double\"},"
          + "{\"name\":\"gpu\",\"type\":\"string\"}]}";

  private final RawRegistry registry;

  RegistryConformanceTest(KafkaStack stack) {
    this.registry = new RawRegistry(stack.registryUrl());
  }

  private int register(String subject, String schema) {
    Answer answer = registry.post("/subjects/" + subject + "/versions", schemaBody(schema));
    assertThat(answer.status()).as("register %s: %s", subject, answer.body()).isEqualTo(200);
    return answer.body().get("id").asInt();
  }

  @Test
  void registeringTheSameSchemaTwiceReturnsTheSameIdAndNoNewVersion() {
    int first = register("same-value", V1);
    int again = register("same-value", V1);
    String reformatted = V1.replace(",", ", ").replace(":", " : ");
    int reformattedId = register("same-value", reformatted);

    assertThat(again).isEqualTo(first);
    assertThat(reformattedId).as("formatting does not make a new schema").isEqualTo(first);
    assertThat(registry.get("/subjects/same-value/versions").body()).hasSize(1);
  }

  @Test
  void idsAreGlobalAcrossSubjects() {
    assertThat(register("global-b-value", V1)).isEqualTo(register("global-a-value", V1));
  }

  @Test
  void schemaByIdAndUnknownId() {
    int id = register("byid-value", V1);
    Answer found = registry.get("/schemas/ids/" + id + "?fetchMaxId=false&subject=byid-value");
    assertThat(found.status()).isEqualTo(200);
    assertThat(found.contentType()).startsWith(RegistryMediaTypes.V1_JSON);
    assertThat(parse(found.body().get("schema").asText())).isEqualTo(parse(V1));

    Answer missing = registry.get("/schemas/ids/987654");
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.errorCode()).isEqualTo(RegistryError.SCHEMA_NOT_FOUND);
    assertThat(missing.body().get("message").asText()).isNotBlank();
  }

  @Test
  void subjectsVersionsAndNotFoundCodes() {
    register("versions-value", V1);
    register("versions-value", V2_WITH_DEFAULT);

    assertThat(registry.get("/subjects").body()).extracting(n -> n.asText()).contains("versions-value");
    assertThat(registry.get("/subjects/versions-value/versions").body().toString()).isEqualTo("[1,2]");
    Answer latest = registry.get("/subjects/versions-value/versions/latest");
    assertThat(latest.body().get("version").asInt()).isEqualTo(2);
    assertThat(latest.body().get("subject").asText()).isEqualTo("versions-value");
    assertThat(registry.get("/subjects/versions-value/versions/1").body().get("id").asInt()).isPositive();

    Answer noSubject = registry.get("/subjects/no-such-subject/versions");
    assertThat(noSubject.status()).isEqualTo(404);
    assertThat(noSubject.errorCode()).isEqualTo(RegistryError.SUBJECT_NOT_FOUND);

    Answer noVersion = registry.get("/subjects/versions-value/versions/99");
    assertThat(noVersion.status()).isEqualTo(404);
    assertThat(noVersion.errorCode()).isEqualTo(RegistryError.VERSION_NOT_FOUND);

    Answer badVersion = registry.get("/subjects/versions-value/versions/first");
    assertThat(badVersion.status()).isEqualTo(422);
    assertThat(badVersion.errorCode()).isEqualTo(RegistryError.INVALID_VERSION);
  }

  @Test
  void lookupUnderASubject() {
    int id = register("lookup-value", V1);
    Answer found = registry.post("/subjects/lookup-value?normalize=false", schemaBody(V1));
    assertThat(found.status()).isEqualTo(200);
    assertThat(found.body().get("id").asInt()).isEqualTo(id);
    assertThat(found.body().get("version").asInt()).isEqualTo(1);

    Answer otherSchema = registry.post("/subjects/lookup-value", schemaBody(V2_WITH_DEFAULT));
    assertThat(otherSchema.status()).isEqualTo(404);
    assertThat(otherSchema.errorCode()).isEqualTo(RegistryError.SCHEMA_NOT_FOUND);

    Answer otherSubject = registry.post("/subjects/lookup-nobody-value", schemaBody(V1));
    assertThat(otherSubject.status()).isEqualTo(404);
    assertThat(otherSubject.errorCode()).isEqualTo(RegistryError.SUBJECT_NOT_FOUND);
  }

  @Test
  void anIncompatibleChangeIsRefusedWith409UnderBackward() {
    register("compat-value", V1);
    Answer refused = registry.post("/subjects/compat-value/versions", schemaBody(V2_REQUIRED_FIELD));
    assertThat(refused.status()).isEqualTo(409);
    assertThat(RegistryError.isIncompatible(refused.errorCode())).as("error_code %s", refused.errorCode()).isTrue();
    assertThat(registry.get("/subjects/compat-value/versions").body()).hasSize(1);

    assertThat(registry.post("/compatibility/subjects/compat-value/versions/latest", schemaBody(V2_REQUIRED_FIELD)).body().get("is_compatible").asBoolean())
        .isFalse();
    Answer verbose = registry.post("/compatibility/subjects/compat-value/versions/latest?verbose=true", schemaBody(V2_REQUIRED_FIELD));
    assertThat(verbose.body().get("messages")).isNotEmpty();
    assertThat(registry.post("/compatibility/subjects/compat-value/versions/1", schemaBody(V2_WITH_DEFAULT)).body().get("is_compatible").asBoolean())
        .isTrue();

    assertThat(register("compat-value", V2_WITH_DEFAULT)).isPositive();
  }

  @Test
  void anInvalidSchemaIs42201() {
    Answer answer = registry.post("/subjects/invalid-value/versions", schemaBody("{\"type\":\"record\",\"name\":\"X\"}"));
    assertThat(answer.status()).isEqualTo(422);
    assertThat(answer.errorCode()).isEqualTo(RegistryError.INVALID_SCHEMA);
  }

  @Test
  void compatibilityConfigGlobalAndPerSubject() {
    assertThat(registry.get("/config").body().get("compatibilityLevel").asText()).isEqualTo("BACKWARD");

    register("config-value", V1);
    Answer put = registry.put("/config/config-value", JSON.createObjectNode().put("compatibility", "NONE"));
    assertThat(put.status()).isEqualTo(200);
    assertThat(put.body().get("compatibility").asText()).isEqualTo("NONE");
    assertThat(registry.get("/config/config-value").body().get("compatibilityLevel").asText()).isEqualTo("NONE");
    assertThat(register("config-value", V2_REQUIRED_FIELD)).as("NONE lets anything through").isPositive();

    Answer unset = registry.get("/config/config-unset-value");
    assertThat(unset.status()).isEqualTo(404);
    assertThat(unset.errorCode()).isEqualTo(RegistryError.SUBJECT_LEVEL_COMPATIBILITY_NOT_CONFIGURED);
    assertThat(registry.get("/config/config-unset-value?defaultToGlobal=true").body().get("compatibilityLevel").asText()).isEqualTo("BACKWARD");

    Answer bad = registry.put("/config/config-value", JSON.createObjectNode().put("compatibility", "SOMETIMES"));
    assertThat(bad.status()).isEqualTo(422);
    assertThat(bad.errorCode()).isEqualTo(RegistryError.INVALID_COMPATIBILITY_LEVEL);
  }

  @Test
  void softThenPermanentDelete() {
    register("delete-value", V1);
    register("delete-value", V2_WITH_DEFAULT);

    Answer permanentFirst = registry.delete("/subjects/delete-value?permanent=true");
    assertThat(permanentFirst.status()).isEqualTo(404);
    assertThat(permanentFirst.errorCode()).isEqualTo(RegistryError.SUBJECT_NOT_SOFT_DELETED);

    Answer soft = registry.delete("/subjects/delete-value");
    assertThat(soft.status()).isEqualTo(200);
    assertThat(soft.body().toString()).isEqualTo("[1,2]");
    assertThat(registry.get("/subjects").body()).extracting(n -> n.asText()).doesNotContain("delete-value");
    assertThat(registry.get("/subjects?deleted=true").body()).extracting(n -> n.asText()).contains("delete-value");

    Answer softAgain = registry.delete("/subjects/delete-value");
    assertThat(softAgain.status()).isEqualTo(404);
    assertThat(softAgain.errorCode()).isEqualTo(RegistryError.SUBJECT_SOFT_DELETED);

    assertThat(registry.delete("/subjects/delete-value?permanent=true").body().toString()).isEqualTo("[1,2]");
    assertThat(registry.get("/subjects/delete-value/versions").errorCode()).isEqualTo(RegistryError.SUBJECT_NOT_FOUND);
  }

  @Test
  void acceptsAllThreeContentTypesAndHonoursAccept() {
    List<Integer> ids = new ArrayList<>();
    for (String type : List.of(RegistryMediaTypes.V1_JSON, RegistryMediaTypes.GENERIC_JSON, RegistryMediaTypes.JSON)) {
      Answer answer = registry.call("POST", "/subjects/ctype-value/versions", schemaBody(V1).toString(), type, null);
      assertThat(answer.status()).as("Content-Type %s", type).isEqualTo(200);
      ids.add(answer.body().get("id").asInt());
    }
    assertThat(ids).containsOnly(ids.get(0));

    Answer plainJson = registry.call("GET", "/subjects/ctype-value/versions", null, null, RegistryMediaTypes.JSON);
    assertThat(plainJson.contentType()).startsWith(RegistryMediaTypes.JSON);
    Answer anyType = registry.call("GET", "/subjects/ctype-value/versions", null, null, "*/*");
    assertThat(anyType.contentType()).startsWith(RegistryMediaTypes.V1_JSON);
  }

  private static com.fasterxml.jackson.databind.JsonNode parse(String schema) {
    try {
      return JSON.readTree(schema);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
