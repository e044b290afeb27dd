package dev.spindle.model.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

/** A layer configuration's settings carried into a subclass of its own, through its JSON. */
public final class LayerConversion {
  private LayerConversion() {}

  /** {@code layer}'s settings, every one of them, in a {@code type} (a subclass of its own). */
  public static <T extends Layer> T as(Layer layer, Class<T> type) {
    try {
      var json = NeuralNetConfiguration.mapper();
      ObjectNode tree = json.valueToTree(layer);
      tree.put("@class", type.getName());
      return json.treeToValue(tree, type);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot convert layer " + layer.getLayerName(), e);
    }
  }
}
