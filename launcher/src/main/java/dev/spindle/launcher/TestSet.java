package dev.spindle.launcher;

import dev.spindle.ingest.loader.FashionMnist;
import dev.spindle.ingest.loader.IdxFile;
import dev.spindle.ingest.loader.PngEncoder;
import dev.spindle.model.ImagePreprocessor;
import dev.spindle.model.InputShape;
import dev.spindle.model.UndecodableImageException;
import dev.spindle.model.artifact.ArtifactIntegrityException;
import dev.spindle.model.artifact.LoadedModel;
import dev.spindle.model.artifact.ModelManifest;
import dev.spindle.model.artifact.ModelStore;
import dev.spindle.trainer.learn.Evaluation;
import dev.spindle.trainer.learn.Examples;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The 10,000 Fashion-MNIST test images, which no service ever sees: each served model is
 * scored on them from its artifact in the model store, exactly as serving loads it (PNG bytes
 * through the shared preprocessing).
 */
final class TestSet {
  private final Examples examples;

  private TestSet(Examples examples) {
    this.examples = examples;
  }

  static TestSet load(InputShape shape) throws IOException {
    IdxFile images = IdxFile.read(Path.of(FashionMnist.TEST_IMAGES));
    IdxFile labels = IdxFile.read(Path.of(FashionMnist.TEST_LABELS));
    ImagePreprocessor preprocessor = new ImagePreprocessor(shape);
    List<float[]> pixels = new ArrayList<>(images.count());
    int[] classes = new int[images.count()];
    for (int i = 0; i < images.count(); i++) {
      try {
        pixels.add(preprocessor.pixels(PngEncoder.fromIdx(images, i)));
      } catch (UndecodableImageException e) {
        throw new IOException("test image " + i + " did not decode", e);
      }
      classes[i] = labels.label(i);
    }
    return new TestSet(new Examples(shape, pixels, classes));
  }

  /** The accuracy of the model whose manifest is {@code manifest}, stored under {@code dir}. */
  double accuracy(Path dir, ModelManifest manifest) throws ArtifactIntegrityException {
    LoadedModel model = ModelStore.load(dir.toUri(), manifest.sha256());
    return Evaluation.of(model.network(), examples, manifest.classNames().size()).accuracy();
  }
}
