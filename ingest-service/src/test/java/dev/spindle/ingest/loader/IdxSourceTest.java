package dev.spindle.ingest.loader;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.ingest.TestImages;
import dev.spindle.ingest.validation.LabelNames;
import java.util.List;
import org.junit.jupiter.api.Test;

class IdxSourceTest {

  @Test
  void shouldLabelTheFirstKOfEachClassInFileOrder() throws Exception {
    List<LoadItem> items = IdxSource.items(TestImages.TRAIN_IMAGES, TestImages.TRAIN_LABELS,
        LabelNames.FASHION_MNIST, 4, 0, 2000);

    long labeled = items.stream().filter(i -> i.upload().get().label().isPresent()).count();
    assertThat(labeled).isEqualTo(40);
    assertThat(items.get(0).upload().get().label()).isPresent();
  }

  @Test
  void shouldLabelAnEvenFraction() throws Exception {
    List<LoadItem> items = IdxSource.items(TestImages.TRAIN_IMAGES, TestImages.TRAIN_LABELS,
        LabelNames.FASHION_MNIST, -1, 0.1, 1000);

    assertThat(items.stream().filter(i -> i.upload().get().label().isPresent()).count())
        .isEqualTo(100);
  }

  @Test
  void shouldEncodeEachImageAsA28x28Png() throws Exception {
    byte[] png = IdxSource.items(TestImages.TRAIN_IMAGES, TestImages.TRAIN_LABELS,
        LabelNames.FASHION_MNIST, 0, 0, 1).get(0).upload().get().bytes();

    assertThat(javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(png)).getWidth())
        .isEqualTo(28);
  }
}
