package dev.spindle.trainer.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.model.InputShape;
import dev.spindle.model.NetworkSpec;
import dev.spindle.trainer.learn.RotationPretrainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

class CheckpointerTest {
  @TempDir Path dir;

  private final NetworkSpec spec = NetworkSpec.forInput(InputShape.FASHION_MNIST, 2);

  @Test
  void shouldRestoreParametersUpdaterStateAndPositions() throws Exception {
    RotationPretrainer pretrainer = new RotationPretrainer(spec, 1e-3, 1);
    pretrainer.step(images(8));
    Checkpointer checkpointer = new Checkpointer(dir);
    pretrainer.withNetwork(net -> save(checkpointer, 1, net));

    Checkpointer.Restored restored = checkpointer.restore().orElseThrow();
    assertThat(restored.state().positions()).containsEntry("images.unlabeled-0", 42L);
    assertThat(restored.state().labeledPositionsAtLastTransfer()).containsEntry(0, 7L);
    assertThat(restored.state().steps()).isEqualTo(1);
    var original = pretrainer.snapshot();
    assertThat(restored.rotationNet().params().equalsWithEps(original.params(), 0)).isTrue();
    assertThat(restored.rotationNet().getUpdater().getStateViewArray()
        .equalsWithEps(original.getUpdater().getStateViewArray(), 0)).isTrue();

    // resumed training continues exactly like uninterrupted training would
    RotationPretrainer resumed = new RotationPretrainer(spec, restored.rotationNet(), 1);
    List<float[]> next = images(8);
    var input = Nd4j.rand(1, 1, 28, 28);
    pretrainer.step(next);
    resumed.step(next);
    assertThat(resumed.snapshot().output(input)
        .equalsWithEps(pretrainer.snapshot().output(input), 1e-5)).isTrue();
  }

  @Test
  void shouldKeepThePreviousCheckpointWhenANewOneIsHalfWritten() throws Exception {
    RotationPretrainer pretrainer = new RotationPretrainer(spec, 1e-3, 1);
    Checkpointer checkpointer = new Checkpointer(dir);
    pretrainer.withNetwork(net -> save(checkpointer, 1, net));
    // a crash while writing v2: a temp file is all that exists of it
    Files.writeString(dir.resolve(".backbone123.tmp"), "half a zip");

    assertThat(checkpointer.restore().orElseThrow().state().backboneVersion()).isEqualTo(1);
  }

  @Test
  void shouldKeepOnlyTheCurrentAndPreviousBackboneFiles() throws Exception {
    RotationPretrainer pretrainer = new RotationPretrainer(spec, 1e-3, 1);
    Checkpointer checkpointer = new Checkpointer(dir);
    for (int v = 1; v <= 4; v++) {
      int version = v;
      pretrainer.withNetwork(net -> save(checkpointer, version, net));
    }
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".zip")))
          .containsExactlyInAnyOrder("backbone-v3.zip", "backbone-v4.zip");
    }
  }

  @Test
  void shouldRestoreACheckpointWrittenBeforeTheLabeledPositionsWereKept() throws Exception {
    RotationPretrainer pretrainer = new RotationPretrainer(spec, 1e-3, 1);
    Checkpointer checkpointer = new Checkpointer(dir);
    pretrainer.withNetwork(net -> save(checkpointer, 1, net));
    Path state = dir.resolve(Checkpointer.STATE_FILE);
    Files.writeString(state, Files.readString(state)
        .replaceAll(",\\s*\"labeledPositionsAtLastTransfer\"\\s*:\\s*\\{[^}]*}", ""));

    assertThat(Files.readString(state)).doesNotContain("labeledPositions");

    CheckpointState restored = checkpointer.restore().orElseThrow().state();
    assertThat(restored.labeledPositionsAtLastTransfer()).isEmpty();
    assertThat(restored.positions()).containsEntry("images.unlabeled-0", 42L);
  }

  @Test
  void shouldFindNothingInAnEmptyDirectory() throws Exception {
    assertThat(new Checkpointer(dir.resolve("none")).restore()).isEmpty();
  }

  private static CheckpointState save(Checkpointer checkpointer, long version,
      org.deeplearning4j.nn.multilayer.MultiLayerNetwork net) {
    try {
      return checkpointer.save(new CheckpointState(version, 1,
          Map.of("images.unlabeled-0", 42L), 0, 0, Map.of(0, 7L), null, Instant.now()), net);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static List<float[]> images(int n) {
    Random random = new Random(n);
    List<float[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float[] image = new float[784];
      for (int p = 0; p < image.length; p++) {
        image[p] = random.nextFloat();
      }
      out.add(image);
    }
    return out;
  }
}
