package dev.spindle.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.ComposeContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The docker-compose deployment, for machines with Docker (skipped elsewhere): the images build,
 * every service becomes healthy, an image posted to ingest is accepted, serving answers.
 */
@Tag("integration")
@Testcontainers(disabledWithoutDocker = true)
class ComposeStackTest {
  @Container
  static final ComposeContainer STACK = new ComposeContainer(
      new File(ComposeFile.repositoryRoot().resolve("docker-compose.yml").toString()))
      .withBuild(true)
      .withExposedService("ingest", 8080, Wait.forHttp("/healthz").withStartupTimeout(Duration.ofMinutes(15)))
      .withExposedService("serving", 8083, Wait.forListeningPort().withStartupTimeout(Duration.ofMinutes(15)));

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void shouldAcceptAnImageAndAnswerFromServing() throws Exception {
    String ingest = "http://" + STACK.getServiceHost("ingest", 8080) + ":"
        + STACK.getServicePort("ingest", 8080);
    HttpResponse<String> accepted = http.send(HttpRequest.newBuilder(URI.create(ingest + "/v1/images"))
        .header("Content-Type", "image/png")
        .POST(HttpRequest.BodyPublishers.ofByteArray(png())).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);

    String serving = "http://" + STACK.getServiceHost("serving", 8083) + ":"
        + STACK.getServicePort("serving", 8083);
    await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> assertThat(http.send(
        HttpRequest.newBuilder(URI.create(serving + "/v1/models")).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200));
  }

  private static byte[] png() throws Exception {
    BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < 28; y++) {
      for (int x = 0; x < 28; x++) {
        image.getRaster().setSample(x, y, 0, (x * 9 + y * 3) % 256);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return out.toByteArray();
  }
}
