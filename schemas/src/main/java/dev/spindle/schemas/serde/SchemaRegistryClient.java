package dev.spindle.schemas.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * A small client for the Confluent schema-registry REST API (which Apicurio also serves under
 * {@code /apis/ccompat/v7}): register a subject's schema, look a schema up by id, set a
 * subject's compatibility. Ids and schemas are cached, so each is fetched once per client.
 */
public final class SchemaRegistryClient {
  private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final int NOT_REACHED = -1;
  private static final int CONFLICT = 409;

  private final AvroSerdeConfig config;
  private final HttpClient http;
  private final ObjectMapper json = new ObjectMapper();
  private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
  private final Map<String, Integer> idsBySubjectAndSchema = new ConcurrentHashMap<>();

  public SchemaRegistryClient(AvroSerdeConfig config) {
    this.config = config;
    this.http = HttpClient.newBuilder().connectTimeout(config.requestTimeout()).build();
  }

  /** Registers {@code schema} under {@code subject} (idempotent) and returns its global id. */
  public int register(String subject, Schema schema) {
    return idsBySubjectAndSchema.computeIfAbsent(subject + '\n' + schema, k -> {
      String body = schemaBody(schema);
      return send("POST", "/subjects/" + encode(subject) + "/versions", body).get("id").asInt();
    });
  }

  /** Returns the id of {@code schema} if {@code subject} already has it; never registers. */
  public int lookup(String subject, Schema schema) {
    return idsBySubjectAndSchema.computeIfAbsent(subject + '\n' + schema,
        k -> send("POST", "/subjects/" + encode(subject), schemaBody(schema)).get("id").asInt());
  }

  /** The schema with this global id; an unknown id fails with the registry's answer. */
  public Schema schemaById(int id) {
    return schemasById.computeIfAbsent(id, k -> new Schema.Parser()
        .parse(send("GET", "/schemas/ids/" + id, null).get("schema").asText()));
  }

  /**
   * Sets a subject's compatibility level, e.g. {@code BACKWARD}. Safe when several clients set
   * it at once: Apicurio creates the subject's rule on the first PUT and answers 409 ("already
   * exists") to a PUT racing it, which is then sent again as the update it now is.
   */
  public void setCompatibility(String subject, String level) {
    String path = "/config/" + encode(subject);
    String body = "{\"compatibility\":\"" + level + "\"}";
    try {
      send("PUT", path, body);
    } catch (SchemaRegistryException e) {
      if (e.status() != CONFLICT) {
        throw e;
      }
      send("PUT", path, body);
    }
  }

  /** The subject's compatibility level, or the global level when the subject has none. */
  public String compatibility(String subject) {
    return send("GET", "/config/" + encode(subject) + "?defaultToGlobal=true", null)
        .path("compatibilityLevel").asText();
  }

  /** True when some registry URL answers. */
  public boolean isReachable() {
    try {
      send("GET", "/subjects", null);
      return true;
    } catch (SchemaRegistryException e) {
      return false;
    }
  }

  private String schemaBody(Schema schema) {
    return json.createObjectNode().put("schema", schema.toString()).toString();
  }

  private JsonNode send(String method, String path, String body) {
    SchemaRegistryException last = null;
    for (String base : config.registryUrls()) {
      String url = base + path;
      try {
        return sendTo(url, method, body);
      } catch (IOException e) {
        last = new SchemaRegistryException(
            "schema registry unreachable at " + url + ": " + e, NOT_REACHED, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SchemaRegistryException("interrupted calling " + url, NOT_REACHED, e);
      }
    }
    throw last;
  }

  private JsonNode sendTo(String url, String method, String body)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
        .timeout(config.requestTimeout())
        .header("Accept", CONTENT_TYPE)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", CONTENT_TYPE);
    }
    config.basicAuthUserInfo().ifPresent(userInfo -> request.header("Authorization", "Basic "
        + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8))));
    HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() / 100 != 2) {
      throw new SchemaRegistryException(method + " " + url + " answered HTTP "
          + response.statusCode() + ": " + response.body(), response.statusCode(), null);
    }
    return json.readTree(response.body());
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
