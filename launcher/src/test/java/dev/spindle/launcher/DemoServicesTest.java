package dev.spindle.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spindle.stack.LocalStack;
import dev.spindle.stack.LocalStackExtension;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@Tag("integration")
@Timeout(300)
@ExtendWith(LocalStackExtension.class)
class DemoServicesTest {
  @Test
  void shouldRunEachServiceInItsOwnProcessWithTheGivenSettingsAndStopEachCleanly(
      LocalStack stack, @TempDir Path dir) throws Exception {
    Closer closer = new Closer();
    DemoServices services;
    try {
      services = DemoServices.start(stack, dir, 200, 50, 1000,
          Map.of("trainer.propagation.rounds", "3"), closer);
      services.awaitResponding(HttpClient.newHttpClient());
      assertThat(services.all()).extracting(ServiceProcess::pid).doesNotHaveDuplicates()
          .doesNotContain(ProcessHandle.current().pid());

      PipelineWatch watch = new PipelineWatch(services.ingest().base(), services.trainer().base(),
          services.serving().base(), services.modelDir());
      PipelineWatch.Snapshot snapshot = watch.poll();
      assertThat(snapshot.pretrainSteps()).as("the trainer's metrics were read").isNotNaN();
      assertThat(snapshot.servingVersion()).as("serving has no model yet").isZero();
      assertThat(watch.progress(snapshot)).contains("pretraining step");
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
          assertThat(Files.readString(services.trainer().logFile()))
              .as("a --set setting reached the trainer")
              .contains("label propagation 3 rounds"));
    } finally {
      closer.closeAll();
    }
    for (ServiceProcess service : services.all()) {
      assertThat(service.isAlive()).isFalse();
      assertThat(Files.readString(service.logFile()))
          .as(service.name() + " shut down on its own terms (SIGTERM)")
          .contains(service.name() + "-service stopped");
    }
    try (Stream<Path> logs = Files.list(services.logDir())) {
      assertThat(logs.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("ingest.log", "trainer.log", "serving.log");
    }
  }
}
