package dev.spindle.serving.holder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.model.artifact.ModelStore;
import dev.spindle.serving.TwoClassModels;
import dev.spindle.schemas.avro.ModelVersion;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelHolderTest {
  @TempDir Path dir;
  private TwoClassModels models;
  private ModelHolder holder;

  @BeforeEach
  void setUp() throws Exception {
    models = new TwoClassModels(dir);
    GatingSet gating = TwoClassModels.gatingSet(20);
    holder = new ModelHolder(ModelStore::load, () -> gating, GatePolicy.withMargin(0.01), Clock.systemUTC());
  }

  @Test
  void shouldInventNoPredictionsBeforeTheFirstModel() {
    assertThat(holder.current()).isEmpty();
  }

  @Test
  void shouldServeTheFirstModelAndPromoteOneThatIsNotWorse() throws Exception {
    assertThat(holder.offer(models.good(1)).status()).isEqualTo(ModelHolder.SERVING);
    assertThat(holder.offer(models.good(2)).status()).isEqualTo(ModelHolder.SERVING);
    assertThat(holder.current().orElseThrow().version()).isEqualTo(2);
    assertThat(holder.history()).extracting(ModelRecord::status)
        .containsExactly(ModelHolder.STANDBY, ModelHolder.SERVING);
  }

  @Test
  void shouldRejectACorruptArtifactAndKeepServingTheCurrentModel() throws Exception {
    holder.offer(models.good(1));
    ModelVersion corrupt = models.good(2);
    TwoClassModels.corrupt(corrupt);

    ModelRecord record = holder.offer(corrupt);
    assertThat(record.status()).isEqualTo(ModelHolder.REJECTED);
    assertThat(record.reason()).contains("sha256");
    assertThat(holder.current().orElseThrow().version()).isEqualTo(1);
  }

  @Test
  void shouldRejectAModelThatIsWorseOnTheGatingSet() throws Exception {
    holder.offer(models.good(1));
    ModelRecord record = holder.offer(models.inverted(2));
    assertThat(record.status()).isEqualTo(ModelHolder.REJECTED);
    assertThat(record.reason()).contains("worse than serving v1");
    assertThat(holder.current().orElseThrow().version()).isEqualTo(1);
  }

  @Test
  void shouldPinRollBackAndUnpin() throws Exception {
    holder.offer(models.good(1));
    holder.offer(models.good(2));
    assertThat(holder.rollback().version()).isEqualTo(1);
    assertThat(holder.pinned()).contains(1L);
    // while pinned, a new good model is accepted but does not serve
    assertThat(holder.offer(models.good(3)).status()).isEqualTo(ModelHolder.STANDBY);
    assertThat(holder.current().orElseThrow().version()).isEqualTo(1);
    assertThat(holder.pin(3).version()).isEqualTo(3);
    assertThatThrownBy(() -> holder.pin(9)).hasMessageContaining("never offered");
    holder.unpin();
    assertThat(holder.pinned()).isEmpty();
    assertThat(holder.current().orElseThrow().version()).isEqualTo(3);
  }

  @Test
  void shouldSwapModelWithoutFailingRequests() throws Exception {
    holder.offer(models.good(1));
    List<float[]> image = List.of(holder.current().orElseThrow().preprocessor()
        .pixels(TwoClassModels.png(1, new Random(5))));
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong answered = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    Set<Long> versionsSeen = ConcurrentHashMap.newKeySet();
    List<Thread> clients = new java.util.ArrayList<>();
    for (int c = 0; c < 4; c++) {
      Thread client = new Thread(() -> {
        while (running.get()) {
          try {
            ServedModel model = holder.current().orElseThrow();
            float[][] p = model.probabilities(image);
            if (Scores.of(p[0], model.classNames(), 2).label().equals("light")) {
              answered.incrementAndGet();
              versionsSeen.add(model.version());
            } else {
              failed.incrementAndGet();
            }
          } catch (RuntimeException e) {
            failed.incrementAndGet();
          }
        }
      });
      client.start();
      clients.add(client);
    }
    for (long v = 2; v <= 6; v++) {
      holder.offer(models.good(v));
    }
    running.set(false);
    for (Thread client : clients) {
      client.join();
    }
    assertThat(failed.get()).isZero();
    assertThat(answered.get()).isPositive();
    assertThat(holder.current().orElseThrow().version()).isEqualTo(6);
    assertThat(versionsSeen.size()).isGreaterThan(1);
  }

  @Test
  void shouldJudgeOnlyTheNewestUnjudgedVersionsOfThosePublishedBeforeTheStart() throws Exception {
    holder.offer(models.good(2));
    List<ModelVersion> backlog = new java.util.ArrayList<>();
    for (long v : new long[] {1, 2, 3, 4, 12, 5, 6, 7, 8, 9, 10, 11, 12}) {
      backlog.add(ModelVersion.newBuilder().setModelName("two-class").setVersion(v)
          .setBackboneVersion(1).setArtifactUri("file:///not/read/v" + v).setSha256("0")
          .setMetrics(java.util.Map.of()).setLabelsUsed(0)
          .setCreatedAt(java.time.Instant.now()).build());
    }
    assertThat(holder.worthJudging(backlog)).extracting(ModelVersion::getVersion)
        .containsExactly(8L, 9L, 10L, 11L, 12L);
    assertThat(holder.worthJudging(backlog.subList(0, 4))).extracting(ModelVersion::getVersion)
        .containsExactly(1L, 3L, 4L);
    assertThat(holder.worthJudging(List.of())).isEmpty();
  }

  @Test
  void shouldKeepTheNewestRecordsAndThoseOfLoadedModelsInABoundedHistory() throws Exception {
    GatingSet gating = TwoClassModels.gatingSet(2);
    ModelHolder bounded = new ModelHolder(ModelStore::load, () -> gating,
        GatePolicy.withMargin(0.01), Clock.systemUTC(), 3);
    bounded.offer(models.good(20));
    for (long v = 1; v <= 9; v++) {
      ModelVersion older = models.good(v);
      assertThat(bounded.offer(older).status()).isEqualTo(ModelHolder.REJECTED);
    }
    assertThat(bounded.history()).extracting(ModelRecord::version).containsExactly(20L, 8L, 9L);
    assertThat(bounded.current().orElseThrow().version()).isEqualTo(20);
  }
}
