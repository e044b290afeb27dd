package dev.spindle.ingest.loader;

/** Where Debian's {@code dataset-fashion-mnist} puts the Fashion-MNIST IDX files. */
public final class FashionMnist {
  public static final String DIR = "/usr/share/datasets/fashion-mnist/";
  public static final String TRAIN_IMAGES = DIR + "train-images-idx3-ubyte.gz";
  public static final String TRAIN_LABELS = DIR + "train-labels-idx1-ubyte.gz";
  public static final String TEST_IMAGES = DIR + "t10k-images-idx3-ubyte.gz";
  public static final String TEST_LABELS = DIR + "t10k-labels-idx1-ubyte.gz";

  private FashionMnist() {
  }
}
