package dev.spindle.model.artifact;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a model artifact is: identity, lineage, how to feed it, and how good it was.
 *
 * @param modelName the model's name (the key of its {@code models} events)
 * @param version monotonically increasing per model name
 * @param backboneVersion the rotation-pretrained backbone it was transferred from
 * @param inputShape channels x height x width, e.g. {@code 1x28x28}
 * @param classNames output index to class name
 * @param cutBlock the backbone block that feeds the head
 * @param labelsUsed labeled images it was trained on
 * @param metrics validation figures (accuracy, per-class accuracy as {@code accuracy.<class>},
 *     validation size, ...)
 * @param confusion validation confusion matrix, rows = true class, columns = predicted
 * @param created when the artifact was written
 * @param sha256 hex SHA-256 of the network file ({@value ModelStore#NETWORK_FILE})
 */
public record ModelManifest(
    String modelName,
    long version,
    long backboneVersion,
    String inputShape,
    List<String> classNames,
    int cutBlock,
    int labelsUsed,
    Map<String, Double> metrics,
    int[][] confusion,
    Instant created,
    String sha256) {

  public ModelManifest {
    classNames = List.copyOf(classNames);
    metrics = Map.copyOf(metrics);
  }

  /** This manifest with the checksum of the network file filled in. */
  public ModelManifest withSha256(String checksum) {
    return new ModelManifest(modelName, version, backboneVersion, inputShape, classNames,
        cutBlock, labelsUsed, metrics, confusion, created, checksum);
  }
}
