package dev.spindle.trainer.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.spindle.model.Networks;
import dev.spindle.model.runtime.Dl4jRuntime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.regex.Pattern;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

/**
 * Checkpoints in a directory: {@code backbone-v<N>.zip} (rotation network with updater state)
 * and {@code checkpoint.json}, which names the backbone file. Each is written to a temp file
 * and renamed; the JSON goes last, so a crash at any moment leaves the previous complete
 * checkpoint in force. The previous backbone file is kept, older ones are deleted.
 */
public final class Checkpointer {
  public static final String STATE_FILE = "checkpoint.json";
  private static final Pattern BACKBONE = Pattern.compile("backbone-v(\\d+)\\.zip");
  private static final ObjectMapper JSON = JsonMapper.builder()
      .addModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .enable(SerializationFeature.INDENT_OUTPUT)
      .build();

  /** A restored checkpoint. */
  public record Restored(CheckpointState state, MultiLayerNetwork rotationNet) {}

  private final Path dir;

  public Checkpointer(Path dir) {
    this.dir = dir.toAbsolutePath();
  }

  public Path dir() {
    return dir;
  }

  /** The latest complete checkpoint, if any. */
  public Optional<Restored> restore() throws IOException {
    Path stateFile = dir.resolve(STATE_FILE);
    if (!Files.isRegularFile(stateFile)) {
      return Optional.empty();
    }
    CheckpointState state = JSON.readValue(stateFile.toFile(), CheckpointState.class);
    Dl4jRuntime.init();
    // in today's layout, whichever version wrote it (parameters and Adam state carry over)
    MultiLayerNetwork net = Networks.upgraded(ModelSerializer.restoreMultiLayerNetwork(
        dir.resolve(state.backboneFile()).toFile(), true));
    return Optional.of(new Restored(state, net));
  }

  /** Writes {@code rotationNet} and {@code state} (whose backboneFile is set here). */
  public CheckpointState save(CheckpointState state, MultiLayerNetwork rotationNet)
      throws IOException {
    Files.createDirectories(dir);
    String backboneFile = "backbone-v" + state.backboneVersion() + ".zip";
    Path tempNet = Files.createTempFile(dir, ".backbone", ".tmp");
    ModelSerializer.writeModel(rotationNet, tempNet.toFile(), true);
    Files.move(tempNet, dir.resolve(backboneFile), StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
    CheckpointState complete = new CheckpointState(state.backboneVersion(), state.steps(),
        state.positions(), state.lastModelVersion(), state.labelEventsAtLastTransfer(),
        state.labeledPositionsAtLastTransfer(), backboneFile, state.created());
    Path tempState = Files.createTempFile(dir, ".checkpoint", ".tmp");
    JSON.writeValue(tempState.toFile(), complete);
    Files.move(tempState, dir.resolve(STATE_FILE), StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
    deleteOlderThan(state.backboneVersion() - 1);
    return complete;
  }

  private void deleteOlderThan(long keepFrom) throws IOException {
    try (var files = Files.list(dir)) {
      for (Path file : files.toList()) {
        var m = BACKBONE.matcher(file.getFileName().toString());
        if (m.matches() && Long.parseLong(m.group(1)) < keepFrom) {
          Files.deleteIfExists(file);
        }
      }
    }
  }
}
