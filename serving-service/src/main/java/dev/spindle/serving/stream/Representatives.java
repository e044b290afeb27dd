package dev.spindle.serving.stream;

import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;

/**
 * Picks {@code k} representatives of a set of uncertain images: weighted spherical k-means on
 * their feature vectors (weights = uncertainty, k-means++ start), then the member nearest each
 * centre. Labeling the middle of each region the model is unsure about, instead of its k least
 * sure members (which crowd together, and include the odd outliers that teach nothing), is
 * "diverse mini-batch active learning" (Zhdanov 2019): the label then reaches the region's other
 * images, through the model and through label propagation's neighbour graph.
 */
public final class Representatives {
  private static final int ITERATIONS = 20;

  private Representatives() {}

  /**
   * {@code n} representatives of the {@code unsure} candidates (weighted by uncertainty), given
   * their {@code features} (one row each, in the same order), least sure first.
   */
  public static List<LabelRequestWindow.Candidate> choose(
      List<LabelRequestWindow.Candidate> unsure, float[][] features, int n, long seed) {
    double[] weights =
        unsure.stream().mapToDouble(LabelRequestWindow.Candidate::uncertainty).toArray();
    return Arrays.stream(pick(features, weights, n, seed)).mapToObj(unsure::get)
        .sorted(Comparator.comparingDouble(LabelRequestWindow.Candidate::uncertainty).reversed())
        .toList();
  }

  /**
   * Indices into {@code features} (rows of any scale; compared by cosine similarity) of
   * {@code min(k, n)} distinct representatives, the heaviest cluster's first (where clusters
   * come out empty, the heaviest images left fill in). Deterministic for a seed.
   */
  public static int[] pick(float[][] features, double[] weights, int k, long seed) {
    int n = features.length;
    if (k <= 0) {
      return new int[0];
    }
    if (k >= n) {
      return heaviestFirst(weights);
    }
    float[][] unit = normalised(features);
    float[][] centres = start(unit, weights, k, new Random(seed));
    int[] cluster = new int[n];
    assign(unit, centres, cluster);
    for (int iteration = 0; iteration < ITERATIONS; iteration++) {
      centres = recentre(unit, weights, cluster, centres);
      if (!assign(unit, centres, cluster)) {
        break;
      }
    }
    int[] nearest = new int[k];
    float[] best = new float[k];
    double[] mass = new double[k];
    Arrays.fill(nearest, -1);
    Arrays.fill(best, Float.NEGATIVE_INFINITY);
    for (int i = 0; i < n; i++) {
      int c = cluster[i];
      mass[c] += weights[i];
      float similarity = dot(unit[i], centres[c]);
      if (similarity > best[c]) {
        best[c] = similarity;
        nearest[c] = i;
      }
    }
    LinkedHashSet<Integer> picked = new LinkedHashSet<>(k);
    for (int c : heaviestFirst(mass)) {
      if (nearest[c] >= 0) {
        picked.add(nearest[c]);
      }
    }
    // clusters left empty (identical or all-zero features): the heaviest not picked yet
    for (int i : heaviestFirst(weights)) {
      if (picked.size() == k) {
        break;
      }
      picked.add(i);
    }
    return picked.stream().mapToInt(Integer::intValue).toArray();
  }

  /** Indices of {@code weights}, heaviest first. */
  private static int[] heaviestFirst(double[] weights) {
    Integer[] order = new Integer[weights.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(weights[b], weights[a]));
    return Arrays.stream(order).mapToInt(Integer::intValue).toArray();
  }

  /** k-means++ seeding, each draw in proportion to weight x (1 - similarity to the nearest centre). */
  private static float[][] start(float[][] unit, double[] weights, int k, Random random) {
    int n = unit.length;
    float[][] centres = new float[k][];
    double[] distance = new double[n];
    Arrays.fill(distance, 1.0);
    for (int c = 0; c < k; c++) {
      double total = 0;
      for (int i = 0; i < n; i++) {
        total += weights[i] * distance[i];
      }
      int chosen = n - 1;
      double target = random.nextDouble() * total;
      for (int i = 0; i < n; i++) {
        target -= weights[i] * distance[i];
        if (target <= 0) {
          chosen = i;
          break;
        }
      }
      centres[c] = unit[chosen].clone();
      for (int i = 0; i < n; i++) {
        distance[i] = Math.min(distance[i], Math.max(0.0, 1.0 - dot(unit[i], centres[c])));
      }
    }
    return centres;
  }

  /** Each point to its most similar centre; true when any point changed cluster. */
  private static boolean assign(float[][] unit, float[][] centres, int[] cluster) {
    boolean changed = false;
    for (int i = 0; i < unit.length; i++) {
      int best = 0;
      float bestSimilarity = Float.NEGATIVE_INFINITY;
      for (int c = 0; c < centres.length; c++) {
        float similarity = dot(unit[i], centres[c]);
        if (similarity > bestSimilarity) {
          bestSimilarity = similarity;
          best = c;
        }
      }
      changed |= cluster[i] != best;
      cluster[i] = best;
    }
    return changed;
  }

  /** Weighted mean direction of each cluster; an emptied cluster keeps its old centre. */
  private static float[][] recentre(
      float[][] unit, double[] weights, int[] cluster, float[][] previous) {
    int d = unit[0].length;
    float[][] sums = new float[previous.length][d];
    boolean[] used = new boolean[previous.length];
    for (int i = 0; i < unit.length; i++) {
      float w = (float) weights[i];
      float[] sum = sums[cluster[i]];
      used[cluster[i]] = true;
      for (int j = 0; j < d; j++) {
        sum[j] += w * unit[i][j];
      }
    }
    for (int c = 0; c < sums.length; c++) {
      sums[c] = used[c] && norm(sums[c]) > 0 ? scaled(sums[c]) : previous[c];
    }
    return sums;
  }

  private static float[][] normalised(float[][] rows) {
    float[][] out = new float[rows.length][];
    for (int i = 0; i < rows.length; i++) {
      out[i] = scaled(rows[i].clone());
    }
    return out;
  }

  private static float[] scaled(float[] row) {
    double norm = norm(row);
    if (norm > 0) {
      for (int j = 0; j < row.length; j++) {
        row[j] /= (float) norm;
      }
    }
    return row;
  }

  private static double norm(float[] row) {
    return Math.sqrt(dot(row, row));
  }

  private static float dot(float[] a, float[] b) {
    float sum = 0;
    for (int j = 0; j < a.length; j++) {
      sum += a[j] * b[j];
    }
    return sum;
  }
}
