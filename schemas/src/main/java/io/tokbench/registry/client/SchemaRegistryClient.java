package io.tokbench.registry.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tokbench.registry.CompatibilityLevel;
import io.tokbench.registry.RegisteredSchema;
import io.tokbench.registry.RegistryError;
import io.tokbench.registry.RegistryMediaTypes;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Client for the Confluent Schema Registry REST protocol. Thread-safe; ids and schemas are cached
 * because they never change once assigned, so a serializer asks the registry once per schema.
 */
public final class SchemaRegistryClient {
  private static final Logger log = LoggerFactory.getLogger(SchemaRegistryClient.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final RegistryClientConfig config;
  private final HttpClient http;
  /** Bounded: anyone who may register schemas could otherwise grow these without end. */
  private static final int MAX_CACHED = 10_000;

  private final Map<Integer, Schema> schemasById = Caffeine.newBuilder().maximumSize(MAX_CACHED).<Integer, Schema>build().asMap();
  private final Map<SubjectSchema, Integer> idsBySubjectAndSchema = Caffeine.newBuilder().maximumSize(MAX_CACHED).<SubjectSchema, Integer>build().asMap();
  private volatile int preferredUrl;

  public SchemaRegistryClient(RegistryClientConfig config) {
    this.config = config;
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(config.timeout());
    config.tls().ifPresent(builder::sslContext);
    this.http = builder.build();
  }

  public RegistryClientConfig config() {
    return config;
  }

  /** Registers a schema under a subject (or finds it already there) and returns its global id. */
  public int register(String subject, Schema schema) {
    return idsBySubjectAndSchema.computeIfAbsent(
        cacheKey(subject, schema),
        key -> {
          ObjectNode body = JSON.createObjectNode().put("schema", schema.toString());
          int id = send(subject, "POST", "/subjects/" + encode(subject) + "/versions", body).get("id").asInt();
          schemasById.putIfAbsent(id, schema);
          return id;
        });
  }

  /** Finds the version of a subject that holds exactly this schema; 40401/40403 when none does. */
  public RegisteredSchema lookup(String subject, Schema schema) {
    ObjectNode body = JSON.createObjectNode().put("schema", schema.toString());
    RegisteredSchema found = registered(send(subject, "POST", "/subjects/" + encode(subject), body));
    idsBySubjectAndSchema.putIfAbsent(cacheKey(subject, schema), found.id());
    return found;
  }

  /** The id of this schema under the subject: from the cache, else by lookup (never registers). */
  public int idOf(String subject, Schema schema) {
    Integer cached = idsBySubjectAndSchema.get(cacheKey(subject, schema));
    return cached != null ? cached : lookup(subject, schema).id();
  }

  /** The writer schema with this global id. */
  public Schema schemaById(int id) {
    Schema cached = schemasById.get(id);
    if (cached != null) {
      return cached;
    }
    JsonNode response = send(null, "GET", "/schemas/ids/" + id, null);
    Schema schema = new Schema.Parser().parse(response.get("schema").asText());
    schemasById.putIfAbsent(id, schema);
    return schema;
  }

  /** The latest version of a subject. */
  public RegisteredSchema latest(String subject) {
    return version(subject, "latest");
  }

  /** One version of a subject: a number or "latest". */
  public RegisteredSchema version(String subject, String version) {
    return registered(send(subject, "GET", "/subjects/" + encode(subject) + "/versions/" + version, null));
  }

  /** Version numbers of a subject, oldest first. */
  public List<Integer> versions(String subject) {
    List<Integer> versions = new ArrayList<>();
    send(subject, "GET", "/subjects/" + encode(subject) + "/versions", null).forEach(v -> versions.add(v.asInt()));
    return versions;
  }

  /** Every subject the registry holds. */
  public List<String> subjects() {
    List<String> subjects = new ArrayList<>();
    send(null, "GET", "/subjects", null).forEach(s -> subjects.add(s.asText()));
    return subjects;
  }

  /** The compatibility level in force: the subject's own, or the global one when subject is null. */
  public CompatibilityLevel compatibility(String subject) {
    String path = subject == null ? "/config" : "/config/" + encode(subject) + "?defaultToGlobal=true";
    return CompatibilityLevel.parse(send(subject, "GET", path, null).get("compatibilityLevel").asText());
  }

  /** Sets the compatibility level of a subject, or the global one when subject is null. */
  public void setCompatibility(String subject, CompatibilityLevel level) {
    String path = subject == null ? "/config" : "/config/" + encode(subject);
    send(subject, "PUT", path, JSON.createObjectNode().put("compatibility", level.name()));
  }

  /** Whether the schema could be registered under the subject next to the given version. */
  public boolean isCompatible(String subject, String version, Schema schema) {
    ObjectNode body = JSON.createObjectNode().put("schema", schema.toString());
    String path = "/compatibility/subjects/" + encode(subject) + "/versions/" + version;
    return send(subject, "POST", path, body).get("is_compatible").asBoolean();
  }

  /** Deletes a subject (soft, or permanent after a soft delete) and returns the versions removed. */
  public List<Integer> deleteSubject(String subject, boolean permanent) {
    List<Integer> versions = new ArrayList<>();
    String path = "/subjects/" + encode(subject) + (permanent ? "?permanent=true" : "");
    send(subject, "DELETE", path, null).forEach(v -> versions.add(v.asInt()));
    idsBySubjectAndSchema.keySet().removeIf(key -> key.subject().equals(subject));
    return versions;
  }

  private static RegisteredSchema registered(JsonNode node) {
    return new RegisteredSchema(
        node.get("subject").asText(),
        node.get("id").asInt(),
        node.get("version").asInt(),
        new Schema.Parser().parse(node.get("schema").asText()));
  }

  /**
   * Cache key: Avro caches a schema's hash code and compares the same instance by reference, so a
   * serializer's lookup per record costs a hash probe, not a rendering of the schema as JSON.
   */
  private record SubjectSchema(String subject, Schema schema) {}

  private static SubjectSchema cacheKey(String subject, Schema schema) {
    return new SubjectSchema(subject, schema);
  }

  private static String encode(String pathSegment) {
    return URLEncoder.encode(pathSegment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /**
   * Sends one request, failing over between URLs and retrying connection failures, 408, 429 and 5xx
   * with exponential backoff. A 4xx answer is final: it is the registry's verdict, not a fault.
   */
  private JsonNode send(String subject, String method, String path, JsonNode body) {
    List<URI> urls = config.urls();
    RegistryException last = null;
    for (int attempt = 0; attempt <= config.maxRetries(); attempt++) {
      int index = (preferredUrl + attempt) % urls.size();
      URI uri = URI.create(urls.get(index) + path);
      try {
        HttpResponse<String> response = http.send(request(method, uri, body), HttpResponse.BodyHandlers.ofString());
        int status = response.statusCode();
        if (status < 300) {
          preferredUrl = index;
          return JSON.readTree(response.body().isEmpty() ? "null" : response.body());
        }
        last = errorFrom(subject, status, response.body());
        if (status != 408 && status != 429 && status < 500) {
          throw last;
        }
      } catch (IOException e) {
        last = new RegistryException(subject, method + " " + uri + " failed: " + e, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RegistryException(subject, "interrupted during " + method + " " + uri, e);
      }
      if (attempt < config.maxRetries()) {
        log.debug("Registry request {} {} failed, retrying: {}", method, uri, last.getMessage());
        sleep(100L << Math.min(attempt, 6));
      }
    }
    throw last;
  }

  private HttpRequest request(String method, URI uri, JsonNode body) throws IOException {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(uri)
            .timeout(config.timeout())
            .header("Accept", RegistryMediaTypes.V1_JSON + ", " + RegistryMediaTypes.GENERIC_JSON + "; q=0.9, " + RegistryMediaTypes.JSON + "; q=0.5");
    config.authorization().ifPresent(value -> builder.header("Authorization", value));
    if (body == null) {
      return builder.method(method, HttpRequest.BodyPublishers.noBody()).build();
    }
    return builder
        .header("Content-Type", RegistryMediaTypes.V1_JSON)
        .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
        .build();
  }

  private static RegistryException errorFrom(String subject, int status, String body) {
    try {
      JsonNode error = JSON.readTree(body);
      if (error != null && error.has("error_code")) {
        return new RegistryException(subject, status, error.get("error_code").asInt(), error.path("message").asText(""));
      }
    } catch (IOException notJson) {
      // fall through: a proxy or a non-registry server answered
    }
    String excerpt = body.length() > 200 ? body.substring(0, 200) + "..." : body;
    return new RegistryException(subject, status, status, "unexpected HTTP " + status + " answer: " + excerpt);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Whether an exception means "the registry does not have it" rather than a failure. */
  public static boolean isNotFound(RegistryException e) {
    return e.errorCode() == RegistryError.SUBJECT_NOT_FOUND
        || e.errorCode() == RegistryError.VERSION_NOT_FOUND
        || e.errorCode() == RegistryError.SCHEMA_NOT_FOUND;
  }
}
