package dev.spindle.bench;

import dev.spindle.ingest.loader.IdxFile;
import dev.spindle.ingest.loader.PngEncoder;
import java.util.ArrayList;
import java.util.List;

/** IDX images encoded as PNG files, ahead of any timing. */
final class PngImages {
  private PngImages() {
  }

  static List<byte[]> encodeAll(IdxFile idx) {
    List<byte[]> out = new ArrayList<>(idx.count());
    for (int i = 0; i < idx.count(); i++) {
      out.add(PngEncoder.fromIdx(idx, i));
    }
    return out;
  }
}
