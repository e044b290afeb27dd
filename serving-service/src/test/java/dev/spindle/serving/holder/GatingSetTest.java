package dev.spindle.serving.holder;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.model.artifact.ModelStore;
import dev.spindle.schemas.avro.ModelVersion;
import dev.spindle.serving.TwoClassModels;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatingSetTest {
  @TempDir Path dir;

  @Test
  void shouldRunAModelOnlyOnGatingImagesItHasNotAnsweredAndScoreAsAFreshCopy() throws Exception {
    ModelVersion v1 = new TwoClassModels(dir).good(1);
    ServedModel serving = load(v1);
    GatingSet first = TwoClassModels.gatingSet(10);
    double firstAccuracy = first.accuracy(serving);
    assertThat(serving.gatingAnswersKept()).isEqualTo(20);

    // the feed's next snapshot: the same 20 images, 10 new ones and one no model can read
    List<byte[]> images = new ArrayList<>(first.images());
    List<String> labels = new ArrayList<>(first.labels());
    GatingSet added = TwoClassModels.gatingSet(5);
    images.addAll(added.images());
    labels.addAll(added.labels());
    images.add(new byte[] {1, 2, 3});
    labels.add(TwoClassModels.CLASSES.get(0));
    GatingSet grown = new GatingSet(images, labels);

    assertThat(grown.accuracy(serving)).isEqualTo(grown.accuracy(load(v1)));
    assertThat(serving.gatingAnswersKept()).isEqualTo(31);
    assertThat(first.accuracy(serving)).isEqualTo(firstAccuracy);
    GatingSet.Comparison itself = grown.compare(serving, load(v1));
    assertThat(itself.scored()).as("the unreadable image is left out").isEqualTo(30);
    assertThat(itself.onlyServingRight() + itself.onlyCandidateRight()).isZero();
  }

  private static ServedModel load(ModelVersion event) throws Exception {
    return new ServedModel(ModelStore.load(URI.create(event.getArtifactUri()), event.getSha256()));
  }
}
