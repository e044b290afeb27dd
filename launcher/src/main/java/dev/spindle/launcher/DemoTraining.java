package dev.spindle.launcher;

import dev.spindle.ingest.loader.FashionMnist;
import dev.spindle.ingest.loader.IdxFile;
import dev.spindle.model.ImagePreprocessor;
import dev.spindle.model.InputShape;
import dev.spindle.model.artifact.LoadedModel;
import dev.spindle.model.artifact.ModelStore;
import dev.spindle.schemas.config.Settings;
import dev.spindle.stack.LocalStack;
import dev.spindle.trainer.TrainerConfig;
import dev.spindle.trainer.TrainerService;
import dev.spindle.trainer.learn.Evaluation;
import dev.spindle.trainer.learn.Examples;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo's trainer: trainer-service pretrains on the stream while images arrive, transfers
 * once the labels are in and it has done {@code minSteps} steps, and the published model is
 * scored on the 10k Fashion-MNIST test set (which no service ever saw).
 */
final class DemoTraining implements AutoCloseable {
  private final TrainerService trainer;
  private final TrainerConfig config;

  DemoTraining(LocalStack stack, Path workDir, int minSteps) throws IOException {
    config = TrainerConfig.from(Settings.of(Map.of(
        "kafka.bootstrap.servers", stack.bootstrapServers(),
        "schema.registry.url", stack.registryUrl(),
        "trainer.checkpoint.dir", workDir.resolve("trainer-checkpoints").toString(),
        "trainer.model.store", workDir.resolve("models").toString(),
        "trainer.http.host", "127.0.0.1",
        "trainer.http.port", "0",
        "trainer.transfer.min.steps", Integer.toString(minSteps))));
    trainer = new TrainerService(config).start();
    Console.step("trainer-service pretraining on the stream (health: http://127.0.0.1:"
        + trainer.httpPort() + "/healthz)");
  }

  /** Waits for the first model, showing progress, and scores it on the test set. */
  Map<String, Object> awaitModel(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    long lastShown = 0;
    while (trainer.lastModelVersion() < 1) {
      if (System.nanoTime() > deadline || trainer.loop().failure() != null) {
        throw new IllegalStateException("no model within " + timeout + ": " + trainer.health());
      }
      if (System.nanoTime() - lastShown > 10_000_000_000L) {
        Map<String, Object> h = trainer.health();
        Console.step(String.format("pretraining: step %s, backbone v%s, pretext accuracy %s, "
                + "%s labeled images%s", h.get("pretrainSteps"), h.get("backboneVersion"),
            h.get("pretextAccuracy"), h.get("labeledImages"),
            Boolean.TRUE.equals(h.get("transferRunning")) ? ", transfer running" : ""));
        lastShown = System.nanoTime();
      }
      Thread.sleep(500);
    }
    Path dir = config.modelStore().resolve(config.modelName()).resolve("v1");
    LoadedModel model = ModelStore.load(dir.toUri(), ModelStore.readManifest(dir).sha256());
    double test = Evaluation.of(model.network(), testSet(model.inputShape()), 10).accuracy();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("model_version", model.manifest().version());
    out.put("model_backbone_version", model.manifest().backboneVersion());
    out.put("model_labels_used", model.manifest().labelsUsed());
    out.put("model_validation_accuracy", model.manifest().metrics().get("accuracy"));
    out.put("model_test_accuracy_10k", Math.round(test * 10_000) / 10_000.0);
    out.put("pretext_accuracy", trainer.loop().pretextAccuracy());
    Console.step(String.format("model v1 (backbone v%d, %d labels): test accuracy %.4f on the "
        + "10k test set", model.manifest().backboneVersion(), model.manifest().labelsUsed(), test));
    return out;
  }

  private static Examples testSet(InputShape shape) throws IOException {
    IdxFile images = IdxFile.read(Path.of(FashionMnist.TEST_IMAGES));
    IdxFile labels = IdxFile.read(Path.of(FashionMnist.TEST_LABELS));
    ImagePreprocessor preprocessor = new ImagePreprocessor(shape);
    List<float[]> pixels = new ArrayList<>(images.count());
    int[] classes = new int[images.count()];
    for (int i = 0; i < images.count(); i++) {
      try {
        pixels.add(preprocessor.pixels(dev.spindle.ingest.loader.PngEncoder.fromIdx(images, i)));
      } catch (dev.spindle.model.UndecodableImageException e) {
        throw new IOException("test image " + i + " did not decode", e);
      }
      classes[i] = labels.label(i);
    }
    return new Examples(shape, pixels, classes);
  }

  @Override
  public void close() throws InterruptedException {
    trainer.close();
  }
}
