package dev.spindle.model.artifact;

import dev.spindle.model.InputShape;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * A verified, loaded artifact: the classifier, the rotation network it came from (when the
 * trainer included it), and the manifest.
 */
public record LoadedModel(
    MultiLayerNetwork network, java.util.Optional<MultiLayerNetwork> rotation,
    ModelManifest manifest) {
  public InputShape inputShape() {
    return InputShape.parse(manifest.inputShape());
  }
}
