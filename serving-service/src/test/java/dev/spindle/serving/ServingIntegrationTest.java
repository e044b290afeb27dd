package dev.spindle.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spindle.model.artifact.ModelStore;
import dev.spindle.schemas.TopicProvisioner;
import dev.spindle.schemas.Topics;
import dev.spindle.schemas.avro.ModelVersion;
import dev.spindle.schemas.config.Settings;
import dev.spindle.stack.LocalStack;
import dev.spindle.stack.LocalStackExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** serving-service on the real broker and registry, fed by real models events. */
@Tag("integration")
@Timeout(300)
@ExtendWith(LocalStackExtension.class)
class ServingIntegrationTest {
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();

  @Test
  void shouldServeNothingBeforeAModelThenServeAndRefuseACorruptOne(
      LocalStack stack, @TempDir Path dir) throws Exception {
    try (Admin admin = Admin.create(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
      TopicProvisioner.ensureTopics(admin, 3, (short) 1);
    }
    Topics topics = Topics.create(Map.of("schema.registry.url", stack.registryUrl()));
    ServingConfig config = ServingConfig.from(Settings.of(Map.of(
        "kafka.bootstrap.servers", stack.bootstrapServers(),
        "schema.registry.url", stack.registryUrl(),
        "serving.model.name", "two-class",
        "serving.http.host", "127.0.0.1",
        "serving.http.port", "0",
        "serving.admin.tokens", "s3cret")));
    TwoClassModels models = new TwoClassModels(dir);
    byte[] light = TwoClassModels.png(1, new Random(9));

    try (ServingService serving = new ServingService(config).start();
        KafkaProducer<String, ModelVersion> producer = new KafkaProducer<>(Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()),
            topics.models().keySerde().serializer(), topics.models().valueSerde().serializer())) {
      String base = "http://127.0.0.1:" + serving.httpPort();
      // no model yet: no invented predictions, and health says so
      assertThat(post(base + "/v1/predict", light, null).statusCode()).isEqualTo(503);
      assertThat(get(base + "/healthz").statusCode()).isEqualTo(503);

      producer.send(new ProducerRecord<>("models", "two-class", models.good(1))).get();
      await().atMost(Duration.ofSeconds(60)).until(() -> get(base + "/healthz").statusCode() == 200);
      HttpResponse<String> answer = post(base + "/v1/predict", light, null);
      assertThat(answer.statusCode()).isEqualTo(200);
      JsonNode prediction = json.readTree(answer.body());
      assertThat(prediction.get("label").asText()).isEqualTo("light");
      assertThat(prediction.get("modelVersion").asLong()).isEqualTo(1);
      assertThat(prediction.get("topK")).hasSize(2);
      assertThat(post(base + "/v1/predict", "not an image".getBytes(), null).statusCode())
          .isEqualTo(400);

      ModelVersion corrupt = models.good(2);
      TwoClassModels.corrupt(corrupt);
      producer.send(new ProducerRecord<>("models", "two-class", corrupt)).get();
      await().atMost(Duration.ofSeconds(60)).until(() -> get(base + "/v1/models").body()
          .contains("REJECTED"));
      assertThat(json.readTree(get(base + "/v1/models").body()).get("serving").asLong())
          .isEqualTo(1);

      producer.send(new ProducerRecord<>("models", "two-class", models.good(3))).get();
      await().atMost(Duration.ofSeconds(60)).until(() -> json.readTree(
          get(base + "/v1/models").body()).get("serving").asLong() == 3);
      assertThat(post(base + "/v1/models/1/pin", new byte[0], null).statusCode()).isEqualTo(401);
      assertThat(post(base + "/v1/models/1/pin", new byte[0], "s3cret").statusCode())
          .isEqualTo(200);
      assertThat(json.readTree(post(base + "/v1/predict", light, null).body())
          .get("modelVersion").asLong()).isEqualTo(1);
      assertThat(post(base + "/v1/models/2/pin", new byte[0], "s3cret").statusCode())
          .isEqualTo(404);
    }
  }

  private HttpResponse<String> get(String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String url, byte[] body, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

}
