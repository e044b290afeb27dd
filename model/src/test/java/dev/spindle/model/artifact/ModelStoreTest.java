package dev.spindle.model.artifact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.model.InputShape;
import dev.spindle.model.NetworkSpec;
import dev.spindle.model.Networks;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ModelStoreTest {
  @TempDir Path dir;

  private final NetworkSpec spec = NetworkSpec.forInput(InputShape.FASHION_MNIST, 2);

  @Test
  void shouldLoadWhatItWroteWithTheSameOutputsAndManifest() throws Exception {
    MultiLayerNetwork net = Networks.classifier(spec, 3, 1e-3, 1);
    StoredModel stored = new ModelStore(dir).write(net, manifest(1));

    LoadedModel loaded = ModelStore.load(stored.uri(), stored.sha256());
    INDArray input = Nd4j.rand(4, 1, 28, 28);
    assertThat(loaded.network().output(input).equalsWithEps(net.output(input), 1e-6)).isTrue();
    assertThat(loaded.manifest().classNames()).containsExactly("a", "b", "c");
    assertThat(loaded.manifest().sha256()).isEqualTo(stored.sha256());
    assertThat(loaded.inputShape()).isEqualTo(InputShape.FASHION_MNIST);
    try (var files = Files.list(dir.resolve("test-model"))) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("v1");
    }
  }

  @Test
  void shouldCarryTheRotationNetworkInsideTheChecksummedFile() throws Exception {
    MultiLayerNetwork rotation = Networks.rotationNet(spec, 1e-3, 3);
    StoredModel stored = new ModelStore(dir)
        .write(Networks.classifier(spec, 3, 1e-3, 1), rotation, manifest(5));

    LoadedModel loaded = ModelStore.load(stored.uri(), stored.sha256());
    INDArray input = Nd4j.rand(2, 1, 28, 28);
    assertThat(loaded.rotation()).isPresent();
    assertThat(loaded.rotation().orElseThrow().output(input)
        .equalsWithEps(rotation.output(input), 1e-6)).isTrue();
    assertThat(ModelStore.load(new ModelStore(dir.resolve("other"))
        .write(Networks.classifier(spec, 3, 1e-3, 1), manifest(6)).uri(),
        Checksums.sha256(dir.resolve("other/test-model/v6/network.zip"))).rotation()).isEmpty();
  }

  @Test
  void shouldReadTheRotationNetworkWhenFirstAskedAndNotFromAFileChangedSinceTheLoad()
      throws Exception {
    ModelStore store = new ModelStore(dir);
    StoredModel first = store.write(Networks.classifier(spec, 3, 1e-3, 1),
        Networks.rotationNet(spec, 1e-3, 3), manifest(7));
    StoredModel second = store.write(Networks.classifier(spec, 3, 1e-3, 2),
        Networks.rotationNet(spec, 1e-3, 4), manifest(8));
    LoadedModel read = ModelStore.load(first.uri(), first.sha256());
    LoadedModel changed = ModelStore.load(second.uri(), second.sha256());
    Path file = Path.of(second.uri()).resolve(ModelStore.NETWORK_FILE);

    Files.write(file, new byte[] {1, 2, 3});

    assertThat(read.rotation()).isPresent();
    assertThat(read.rotation()).as("read once").containsSame(read.rotation().orElseThrow());
    assertThat(changed.rotation()).isEmpty();
    assertThat(changed.network().output(Nd4j.rand(1, 1, 28, 28)).sumNumber().doubleValue())
        .isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
  }

  @Test
  void shouldRefuseAnArtifactWhoseBytesDoNotMatchTheChecksum() throws Exception {
    StoredModel stored =
        new ModelStore(dir).write(Networks.classifier(spec, 3, 1e-3, 1), manifest(2));
    Path network = Path.of(stored.uri()).resolve(ModelStore.NETWORK_FILE);
    flipOneByte(network);

    assertThatThrownBy(() -> ModelStore.load(stored.uri(), stored.sha256()))
        .isInstanceOf(ArtifactIntegrityException.class)
        .hasMessageContaining("expected " + stored.sha256());
  }

  @Test
  void shouldRefuseAMissingArtifactAndAWrongExpectedChecksum() throws Exception {
    StoredModel stored =
        new ModelStore(dir).write(Networks.classifier(spec, 3, 1e-3, 1), manifest(3));
    assertThatThrownBy(() -> ModelStore.load(stored.uri(), "00".repeat(32)))
        .isInstanceOf(ArtifactIntegrityException.class);
    assertThatThrownBy(() -> ModelStore.load(dir.resolve("nope").toUri(), stored.sha256()))
        .isInstanceOf(ArtifactIntegrityException.class)
        .hasMessageContaining("missing");
  }

  @Test
  void shouldNeverOverwriteAVersion() throws Exception {
    ModelStore store = new ModelStore(dir);
    store.write(Networks.classifier(spec, 3, 1e-3, 1), manifest(4));
    assertThatThrownBy(() -> store.write(Networks.classifier(spec, 3, 1e-3, 1), manifest(4)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("already exists");
  }

  @Test
  void shouldKeepOnlyTheNewestArtifactsWhenPrunedAndEveryOneWhenToldToKeepAll() throws Exception {
    ModelStore store = new ModelStore(dir);
    MultiLayerNetwork net = Networks.classifier(spec, 3, 1e-3, 1);
    for (long version : new long[] {1, 2, 3, 9, 10}) {
      store.write(net, manifest(version));
    }
    Files.createDirectories(dir.resolve("test-model/.v11-unfinished.tmp"));

    assertThat(store.prune("test-model", 0)).isEmpty();
    assertThat(store.prune("test-model", 3)).containsExactly(1L, 2L);
    try (var files = Files.list(dir.resolve("test-model"))) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("v3", "v9", "v10", ".v11-unfinished.tmp");
    }
    assertThat(ModelStore.load(dir.resolve("test-model/v10").toUri(),
        ModelStore.readManifest(dir.resolve("test-model/v10")).sha256()).manifest().version())
        .isEqualTo(10);
    assertThat(store.prune("test-model", 3)).isEmpty();
    assertThat(store.prune("no-such-model", 3)).isEmpty();
  }

  private static ModelManifest manifest(long version) {
    return new ModelManifest("test-model", version, 7, "1x28x28", List.of("a", "b", "c"), 2,
        30, Map.of("accuracy", 0.5), new int[3][3], Instant.now(), null);
  }

  private static void flipOneByte(Path file) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      long at = raf.length() / 2;
      raf.seek(at);
      int b = raf.read();
      raf.seek(at);
      raf.write(b ^ 0xFF);
    }
  }
}
