package dev.spindle.trainer.learn;

import dev.spindle.model.ImageBatch;
import dev.spindle.model.InputShape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Labeled images in memory: preprocessed CHW pixels and class indices. Batches are assembled
 * into one flat array per batch (one copy per image, no per-image INDArrays).
 */
public final class Examples {
  private final InputShape shape;
  private final List<float[]> images;
  private final int[] labels;
  private final float[] weights;

  public Examples(InputShape shape, List<float[]> images, int[] labels) {
    this(shape, images, labels, null);
  }

  /**
   * Examples that count {@code weights[i]} times as much as an example of weight 1 (null: all
   * the same), for pseudo-labels trusted as much as they are certain: an epoch
   * ({@link #shuffledBatches}) visits each about that many times as often.
   */
  public Examples(InputShape shape, List<float[]> images, int[] labels, float[] weights) {
    if (images.size() != labels.length) {
      throw new IllegalArgumentException(images.size() + " images but " + labels.length + " labels");
    }
    if (weights != null && weights.length != labels.length) {
      throw new IllegalArgumentException(labels.length + " labels but " + weights.length + " weights");
    }
    this.shape = shape;
    this.images = List.copyOf(images);
    this.labels = labels.clone();
    this.weights = weights == null ? null : weights.clone();
  }

  public int size() {
    return labels.length;
  }

  public boolean isEmpty() {
    return labels.length == 0;
  }

  public InputShape shape() {
    return shape;
  }

  /** The images in order (read-only). */
  public List<float[]> images() {
    return Collections.unmodifiableList(images);
  }

  public float[] image(int i) {
    return images.get(i);
  }

  public int label(int i) {
    return labels[i];
  }

  /** The weight of example {@code i} (1 unless given). */
  public float weight(int i) {
    return weights == null ? 1f : weights[i];
  }

  /**
   * One epoch's mini-batches over a fresh random order; the last partial batch is kept, except
   * that a single leftover example joins the batch before it (BatchNorm cannot normalise one
   * example against itself). Unweighted examples appear once each; weighted ones
   * {@link #weightedDraw in proportion to their weights}.
   */
  public List<int[]> shuffledBatches(int batchSize, Random random) {
    int[] order = weights == null ? permutation(size(), random) : weightedDraw(random);
    List<int[]> batches = chunks(order, batchSize);
    int last = batches.size() - 1;
    if (last > 0 && batches.get(last).length == 1) {
      int[] previous = batches.get(last - 1);
      int[] merged = Arrays.copyOf(previous, previous.length + 1);
      merged[previous.length] = batches.remove(last)[0];
      batches.set(last - 1, merged);
    }
    return batches;
  }

  /** 0..n-1 in a random order (Fisher-Yates). */
  public static int[] permutation(int n, Random random) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    shuffle(order, random);
    return order;
  }

  /**
   * About as many indices as there are examples, in a random order, each example's share
   * proportional to its weight: {@code w n / sum(w)} copies, the fraction rounded up or down at
   * random (so the expectation is exact). Weights are not passed to DL4J as a labels mask:
   * DL4J multiplies the output layer's pre-activations by the mask as well as the loss, so an
   * example of weight 0.3 was also fitted through a softmax three times softer (it had to reach
   * logits three times larger), and one of weight 2 through a sharper one. Drawing by weight
   * leaves the softmax alone; on the training-data holdout (K=4, 5k pool, 3 seeds) label
   * propagation ended 0.7630 vs 0.7592 with the mask, each seed ahead, at K=32 (2 seeds)
   * 0.8341 vs 0.8331.
   */
  int[] weightedDraw(Random random) {
    double total = 0;
    for (float w : weights) {
      total += w;
    }
    if (total <= 0) {
      return new int[0];
    }
    double scale = size() / total;
    int[] copies = new int[size()];
    int n = 0;
    for (int i = 0; i < size(); i++) {
      double share = weights[i] * scale;
      int whole = (int) share;
      copies[i] = whole + (random.nextDouble() < share - whole ? 1 : 0);
      n += copies[i];
    }
    int[] order = new int[n];
    int at = 0;
    for (int i = 0; i < size(); i++) {
      Arrays.fill(order, at, at + copies[i], i);
      at += copies[i];
    }
    shuffle(order, random);
    return order;
  }

  private static void shuffle(int[] order, Random random) {
    for (int i = order.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
  }

  /** Mini-batches in order (for evaluation). */
  public List<int[]> orderedBatches(int batchSize) {
    int[] order = new int[size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    return chunks(order, batchSize);
  }

  /** Features [n, C, H, W] of the examples at {@code indices}. */
  public INDArray features(int[] indices) {
    return ImageBatch.of(shape, indices.length, i -> images.get(indices[i]));
  }

  /** A DataSet with one-hot labels over {@code classes}. */
  public DataSet dataSet(int[] indices, int classes) {
    return dataSet(indices, classes, Augmentation.NONE, null);
  }

  /**
   * A DataSet of the examples at {@code indices} whose features are rows of {@code features}
   * (one row per example, computed beforehand: e.g. a frozen backbone's outputs).
   */
  public DataSet dataSetOver(INDArray features, int[] indices, int classes) {
    return new DataSet(features.getRows(indices), oneHot(indices, classes));
  }

  /** A DataSet with one-hot labels, each image augmented (a fresh draw per call). */
  public DataSet dataSet(int[] indices, int classes, Augmentation augmentation, Random random) {
    INDArray y = oneHot(indices, classes);
    if (augmentation.isNone()) {
      return new DataSet(features(indices), y);
    }
    int size = shape.size();
    float[] flat = new float[indices.length * size];
    float[] scratch = new float[size];
    for (int i = 0; i < indices.length; i++) {
      System.arraycopy(images.get(indices[i]), 0, flat, i * size, size);
      augmentation.apply(flat, i * size, shape, random, scratch);
    }
    return new DataSet(ImageBatch.wrap(shape, flat, indices.length), y);
  }

  private INDArray oneHot(int[] indices, int classes) {
    float[] oneHot = new float[indices.length * classes];
    for (int i = 0; i < indices.length; i++) {
      oneHot[i * classes + labels[indices[i]]] = 1f;
    }
    return Nd4j.create(oneHot, new long[] {indices.length, classes}, 'c');
  }

  /**
   * These examples {@code repeat} times, then {@code other}'s, weights kept: for mixing in
   * pseudo-labels.
   */
  public Examples concat(int repeat, Examples other) {
    List<float[]> allImages = new ArrayList<>();
    int total = repeat * size() + other.size();
    int[] allLabels = new int[total];
    float[] allWeights = weights == null && other.weights == null ? null : new float[total];
    int n = 0;
    for (int r = 0; r < repeat; r++) {
      for (int i = 0; i < size(); i++) {
        allImages.add(images.get(i));
        if (allWeights != null) {
          allWeights[n] = weight(i);
        }
        allLabels[n++] = labels[i];
      }
    }
    for (int i = 0; i < other.size(); i++) {
      allImages.add(other.images.get(i));
      if (allWeights != null) {
        allWeights[n] = other.weight(i);
      }
      allLabels[n++] = other.labels[i];
    }
    return new Examples(shape, allImages, allLabels, allWeights);
  }


  private static List<int[]> chunks(int[] order, int batchSize) {
    List<int[]> batches = new ArrayList<>();
    for (int from = 0; from < order.length; from += batchSize) {
      int to = Math.min(order.length, from + batchSize);
      int[] batch = new int[to - from];
      System.arraycopy(order, from, batch, 0, batch.length);
      batches.add(batch);
    }
    return batches;
  }
}
