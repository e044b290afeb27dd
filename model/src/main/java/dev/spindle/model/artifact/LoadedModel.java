package dev.spindle.model.artifact;

import dev.spindle.model.InputShape;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/** A verified, loaded artifact. */
public record LoadedModel(MultiLayerNetwork network, ModelManifest manifest) {
  public InputShape inputShape() {
    return InputShape.parse(manifest.inputShape());
  }
}
