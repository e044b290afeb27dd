package dev.spindle.bench.ssl;

import dev.spindle.ingest.loader.FashionMnist;
import dev.spindle.ingest.loader.IdxFile;
import dev.spindle.model.InputShape;
import dev.spindle.trainer.learn.Examples;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Fashion-MNIST as protocol FMNIST-SSL-v1 uses it: pixels/255, labeled = the first K train
 * images of each class in file order, unlabeled = all train images, test = the 10k test set.
 * (A grey 28x28 PNG decoded by the shared preprocessor gives exactly these values.)
 */
public record FmnistData(List<float[]> train, int[] trainLabels, Examples test) {
  public static final InputShape SHAPE = InputShape.FASHION_MNIST;

  public static FmnistData load() throws IOException {
    IdxFile trainImages = IdxFile.read(Path.of(FashionMnist.TRAIN_IMAGES));
    IdxFile trainLabels = IdxFile.read(Path.of(FashionMnist.TRAIN_LABELS));
    IdxFile testImages = IdxFile.read(Path.of(FashionMnist.TEST_IMAGES));
    IdxFile testLabels = IdxFile.read(Path.of(FashionMnist.TEST_LABELS));
    List<float[]> test = pixels(testImages);
    return new FmnistData(pixels(trainImages), labels(trainLabels),
        new Examples(SHAPE, test, labels(testLabels)));
  }

  /** The first {@code k} training images of each class, in file order. */
  public Examples firstPerClass(int k) {
    int[] taken = new int[10];
    List<float[]> images = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    for (int i = 0; i < train.size() && images.size() < 10 * k; i++) {
      int label = trainLabels[i];
      if (taken[label] < k) {
        taken[label]++;
        images.add(train.get(i));
        labels.add(label);
      }
    }
    return new Examples(SHAPE, images, labels.stream().mapToInt(Integer::intValue).toArray());
  }

  /** The last {@code n} training images with their labels (a tuning set, never the test set). */
  Examples lastTrain(int n) {
    int from = train.size() - n;
    return new Examples(SHAPE, train.subList(from, train.size()),
        java.util.Arrays.copyOfRange(trainLabels, from, train.size()));
  }

  private static List<float[]> pixels(IdxFile file) {
    List<float[]> out = new ArrayList<>(file.count());
    int size = file.rows() * file.cols();
    byte[] data = file.data();
    for (int i = 0; i < file.count(); i++) {
      float[] image = new float[size];
      for (int p = 0; p < size; p++) {
        image[p] = (data[i * size + p] & 0xFF) / 255f;
      }
      out.add(image);
    }
    return out;
  }

  private static int[] labels(IdxFile file) {
    int[] labels = new int[file.count()];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = file.label(i);
    }
    return labels;
  }
}
