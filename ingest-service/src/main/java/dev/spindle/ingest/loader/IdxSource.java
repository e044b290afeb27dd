package dev.spindle.ingest.loader;

import dev.spindle.ingest.publish.ImageUpload;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Fashion-MNIST (or MNIST) IDX files as uploads: each image encoded as a PNG, the way a client
 * would send it. Which images carry their label is decided in file order: the first K of each
 * class, or a fixed fraction spread evenly; the rest go in unlabeled.
 */
public final class IdxSource {
  private IdxSource() {
  }

  /**
   * @param classNames label index to class name
   * @param labeledPerClass the first this many of each class carry their label (-1: not used)
   * @param labeledFraction this fraction of images carry their label (ignored if per-class set)
   * @param limit load only the first this many images (-1: all)
   */
  public static List<LoadItem> items(Path images, Path labels, List<String> classNames,
      int labeledPerClass, double labeledFraction, int limit) throws IOException {
    IdxFile pixels = IdxFile.read(images);
    IdxFile classes = IdxFile.read(labels);
    if (!pixels.isImages() || classes.isImages() || pixels.count() != classes.count()) {
      throw new IOException("expected an image file and a label file with the same count, got "
          + images + " (" + pixels.count() + ") and " + labels + " (" + classes.count() + ")");
    }
    int n = limit < 0 ? pixels.count() : Math.min(limit, pixels.count());
    int[] labeledSoFar = new int[classNames.size()];
    List<LoadItem> items = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int cls = classes.label(i);
      boolean labeled = labeledPerClass >= 0
          ? labeledSoFar[cls]++ < labeledPerClass
          : Math.floor((i + 1) * labeledFraction) > Math.floor(i * labeledFraction);
      Optional<String> label = labeled ? Optional.of(classNames.get(cls)) : Optional.empty();
      int index = i;
      items.add(new LoadItem(images.getFileName() + "#" + i, () -> new ImageUpload(
          PngEncoder.fromIdx(pixels, index),
          Optional.empty(), label, Optional.of("load-idx"),
          label.map(l -> "idx-labels"))));
    }
    return items;
  }
}
