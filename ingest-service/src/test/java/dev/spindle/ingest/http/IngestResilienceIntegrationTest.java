package dev.spindle.ingest.http;

import static dev.spindle.ingest.IngestFixture.postImage;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spindle.ingest.IngestConfig;
import dev.spindle.ingest.IngestFixture;
import dev.spindle.ingest.IngestMetrics;
import dev.spindle.ingest.IngestPipeline;
import dev.spindle.ingest.IngestService;
import dev.spindle.ingest.TestImages;
import dev.spindle.ingest.TopicReader;
import dev.spindle.ingest.publish.RecordSender;
import dev.spindle.ingest.publish.SeenImages;
import dev.spindle.ingest.validation.ImageValidator;
import dev.spindle.schemas.ImageIds;
import dev.spindle.schemas.Topics;
import dev.spindle.stack.LocalStack;
import dev.spindle.stack.LocalStackExtension;
import dev.spindle.stack.StackConfig;
import java.net.URI;
import java.nio.file.Path;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@Tag("integration")
@Timeout(180)
@ExtendWith(LocalStackExtension.class)
class IngestResilienceIntegrationTest {
  private final ObjectMapper json = new ObjectMapper();

  @Test
  void shouldAnswer503WithRetryAfterWithinTheTimeoutWhenTheBrokerIsUnreachable(LocalStack stack) {
    IngestConfig config = IngestFixture.config(stack, Map.of(
        "kafka.bootstrap.servers", "127.0.0.1:1", "ingest.publish.timeout.ms", "1500"));
    Topics topics = IngestFixture.topics(stack);
    try (RecordSender sender = RecordSender.create(config.clients(), config.publishTimeout());
        HealthCheck health = new HealthCheck(config.clients(), () -> "DISABLED");
        IngestHttpServer http = new IngestHttpServer(new IngestPipeline(
            new ImageValidator(config.limits()), config.labelNames(), topics, sender,
            new SeenImages(), new IngestMetrics(), Clock.systemUTC()), health,
            config.publishTimeout(), 7, Set.of(), config.batchLimits()).start("127.0.0.1", 0)) {
      long started = System.nanoTime();

      HttpResponse<String> response = postImage(http.port(), TestImages.png(200), null, "");

      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(6));
      assertThat(response.statusCode()).isEqualTo(503);
      assertThat(response.headers().firstValue("Retry-After")).contains("7");
      assertThat(response.body()).contains("retry later");
      assertThat(IngestFixture.get(http.port(), "/healthz").statusCode()).isEqualTo(503);

      HttpResponse<String> batch = IngestFixture.postBatch(http.port(),
          List.of(IngestFixture.batchLine(TestImages.png(201), null)));

      assertThat(batch.statusCode()).as(batch.body()).isEqualTo(503);
      assertThat(batch.headers().firstValue("Retry-After")).contains("7");
      assertThat(batch.body()).contains("\"unavailable\":1").contains("retry later");
    }
  }

  @Test
  void shouldRequireAValidBearerTokenWhenAuthIsEnabled(LocalStack stack) {
    try (IngestService service = new IngestService(IngestFixture.config(stack, Map.of(
        "ingest.auth.tokens", "s3cret,other", "ingest.join.enabled", "false"))).start()) {
      byte[] image = TestImages.png(210);
      HttpRequest.Builder request = HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + service.httpPort() + "/v1/images"))
          .POST(HttpRequest.BodyPublishers.ofByteArray(image));

      HttpResponse<String> none = IngestFixture.send(request.build());
      HttpResponse<String> wrong = IngestFixture.send(
          request.copy().header("Authorization", "Bearer nope").build());
      HttpResponse<String> right = IngestFixture.send(
          request.copy().header("Authorization", "Bearer s3cret").build());

      assertThat(none.statusCode()).isEqualTo(401);
      assertThat(wrong.statusCode()).isEqualTo(401);
      assertThat(none.body()).contains("bearer token");
      assertThat(right.statusCode()).isEqualTo(202);
      assertThat(IngestFixture.get(service.httpPort(), "/healthz").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void shouldLoseNoAcknowledgedImageWhenIngestRestartsMidStream(LocalStack stack) throws Exception {
    IngestConfig config = IngestFixture.config(stack, Map.of("ingest.join.enabled", "false"));
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
    IngestService first = new IngestService(config).start();
    int port = first.httpPort();
    Thread uploader = new Thread(() -> {
      for (int i = 300; i < 600; i++) {
        byte[] image = TestImages.png(i);
        try {
          HttpResponse<String> response = postImage(port, image, null, "");
          if (response.statusCode() == 202) {
            acknowledged.add(json.readTree(response.body()).get("id").asText());
          } else {
            refused.incrementAndGet();
          }
        } catch (Exception refusedWhileDown) {
          refused.incrementAndGet(); // not acknowledged: a client would retry
        }
      }
    });
    uploader.start();
    org.awaitility.Awaitility.await().until(() -> acknowledged.size() >= 20);

    first.close();
    IngestService second = new IngestService(IngestFixture.config(stack, Map.of(
        "ingest.join.enabled", "false", "ingest.http.port", Integer.toString(port)))).start();
    uploader.join();
    second.close();

    Set<String> uploaded = java.util.stream.IntStream.range(300, 600)
        .mapToObj(i -> ImageIds.of(TestImages.png(i))).collect(Collectors.toSet());
    List<String> stored = TopicReader.readAll(stack, IngestFixture.topics(stack).imagesUnlabeled())
        .stream().map(ConsumerRecord::key).filter(uploaded::contains).toList();
    assertThat(refused).as("uploads refused while ingest restarted").hasPositiveValue();
    assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(20);
    assertThat(stored).containsAll(acknowledged);
    assertThat(stored).doesNotHaveDuplicates();
  }

  @Test
  void shouldLoseAndDuplicateNoAcknowledgedImageWhenTheBrokerGoesDownMidStream(
      @TempDir Path dir) throws Exception {
    // its own stack: restarting the shared broker would disturb the other tests
    try (LocalStack own = LocalStack.start(StackConfig.ephemeral(dir.resolve("stack")));
        IngestService service = new IngestService(IngestFixture.config(own, Map.of(
            "ingest.join.enabled", "false",
            "ingest.state.dir", dir.resolve("ingest").toString(),
            "ingest.publish.timeout.ms", "3000"))).start()) {
      int images = 600;
      Set<String> acknowledged = ConcurrentHashMap.newKeySet();
      AtomicInteger answered503 = new AtomicInteger();
      AtomicInteger answeredOther = new AtomicInteger();
      List<Thread> clients = new ArrayList<>();
      for (int c = 0; c < 4; c++) {
        int client = c;
        // a client that retries until its image is acknowledged, as Retry-After invites
        Thread thread = new Thread(() -> {
          for (int i = client; i < images; i += 4) {
            byte[] image = TestImages.png(1000 + i);
            for (int attempt = 0; attempt < 100; attempt++) {
              HttpResponse<String> response = postImage(service.httpPort(), image, null, "");
              if (response.statusCode() == 202) {
                acknowledged.add(ImageIds.of(image));
                break;
              }
              (response.statusCode() == 503 ? answered503 : answeredOther).incrementAndGet();
            }
          }
        });
        thread.start();
        clients.add(thread);
      }
      org.awaitility.Awaitility.await().until(() -> acknowledged.size() >= 100);
      own.stopBroker();
      // down long enough that clients are told to come back later
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60))
          .until(() -> answered503.get() >= 4);
      own.startBroker();
      for (Thread client : clients) {
        client.join();
      }

      List<String> stored = TopicReader.readAll(own, IngestFixture.topics(own).imagesUnlabeled())
          .stream().map(ConsumerRecord::key).toList();
      Set<String> distinct = Set.copyOf(stored);
      System.out.printf("broker restart during ingest: %d acknowledged, %d records, lost %d, "
              + "duplicates %d, %d answers 503 while the broker was away%n", acknowledged.size(),
          stored.size(), acknowledged.stream().filter(id -> !distinct.contains(id)).count(),
          stored.size() - distinct.size(), answered503.get());
      assertThat(answered503).as("503s while the broker was away").hasPositiveValue();
      assertThat(answeredOther).as("answers other than 202 and 503").hasValue(0);
      assertThat(acknowledged).hasSize(images);
      assertThat(stored).containsAll(acknowledged);
      assertThat(stored).doesNotHaveDuplicates();
    }
  }
}
