package dev.spindle.model.artifact;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.spindle.model.Networks;
import dev.spindle.model.runtime.Dl4jRuntime;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model store: a directory (a shared volume in docker-compose). An artifact is the
 * directory {@code <root>/<model name>/v<version>/} holding {@value #NETWORK_FILE} (DL4J
 * {@code ModelSerializer} zip, without updater state) and {@value #MANIFEST_FILE}. It is
 * written into a temporary sibling and renamed into place, so readers never see half an
 * artifact. The checksum covers the network file and is in the manifest and in the event;
 * {@link #load} verifies it before a byte of it is parsed, then reads the network with
 * {@link NetworkReader} (the same zip, read without large heap buffers). The rotation network
 * inside is read when first asked for ({@link LoadedModel#rotation}), checksum verified again.
 */
public final class ModelStore {
  public static final String NETWORK_FILE = "network.zip";
  public static final String MANIFEST_FILE = "manifest.json";
  /** The zip entry holding the rotation network, when the trainer included it. */
  public static final String ROTATION_ENTRY = "rotation-network";

  private static final Logger log = LoggerFactory.getLogger(ModelStore.class);
  private static final Pattern VERSION_DIR = Pattern.compile("v(\\d+)");

  private static final ObjectMapper JSON = JsonMapper.builder()
      .addModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .enable(SerializationFeature.INDENT_OUTPUT)
      .build();

  private final Path root;

  public ModelStore(Path root) {
    this.root = root.toAbsolutePath();
  }

  public Path root() {
    return root;
  }

  /** Writes {@code network} with {@code manifest} (its sha256 is filled in here). */
  public StoredModel write(MultiLayerNetwork network, ModelManifest manifest) throws IOException {
    return write(network, null, manifest);
  }

  /**
   * Writes {@code network}, and inside the same zip (entry {@value #ROTATION_ENTRY}, covered
   * by the same checksum) the rotation network it was transferred from, if given: serving uses
   * it to measure how well the backbone still understands the incoming images.
   */
  public StoredModel write(MultiLayerNetwork network, MultiLayerNetwork rotationNet,
      ModelManifest manifest) throws IOException {
    Path modelDir = root.resolve(manifest.modelName());
    Files.createDirectories(modelDir);
    Path target = modelDir.resolve("v" + manifest.version());
    if (Files.exists(target)) {
      throw new IOException("artifact " + target + " already exists; versions are never reused");
    }
    Path temp = modelDir.resolve(".v" + manifest.version() + "-" + UUID.randomUUID() + ".tmp");
    Files.createDirectories(temp);
    try {
      Path networkFile = temp.resolve(NETWORK_FILE);
      ModelSerializer.writeModel(network, networkFile.toFile(), false);
      if (rotationNet != null) {
        java.io.ByteArrayOutputStream rotation = new java.io.ByteArrayOutputStream();
        ModelSerializer.writeModel(rotationNet, rotation, false);
        ModelSerializer.addObjectToFile(networkFile.toFile(), ROTATION_ENTRY, rotation.toByteArray());
      }
      ModelManifest complete = manifest.withSha256(Checksums.sha256(networkFile));
      JSON.writeValue(temp.resolve(MANIFEST_FILE).toFile(), complete);
      move(temp, target);
      return new StoredModel(target.toUri(), complete.sha256(), complete);
    } finally {
      deleteQuietly(temp);
    }
  }

  /**
   * Loads the artifact at {@code uri} after checking that its network file has SHA-256
   * {@code expectedSha256} (from the event) and that the manifest agrees.
   */
  public static LoadedModel load(URI uri, String expectedSha256) throws ArtifactIntegrityException {
    Path dir = Path.of(uri);
    Path networkFile = dir.resolve(NETWORK_FILE);
    Path manifestFile = dir.resolve(MANIFEST_FILE);
    if (!Files.isRegularFile(networkFile) || !Files.isRegularFile(manifestFile)) {
      throw new ArtifactIntegrityException("artifact " + uri + " is missing "
          + (Files.isRegularFile(networkFile) ? MANIFEST_FILE : NETWORK_FILE));
    }
    try {
      String actual = Checksums.sha256(networkFile);
      if (!actual.equalsIgnoreCase(expectedSha256)) {
        throw new ArtifactIntegrityException("artifact " + uri + " has sha256 " + actual
            + ", expected " + expectedSha256 + ": corrupt or replaced");
      }
      ModelManifest manifest = readManifest(dir);
      if (!actual.equalsIgnoreCase(manifest.sha256())) {
        throw new ArtifactIntegrityException("artifact " + uri + " manifest names sha256 "
            + manifest.sha256() + " but the network file has " + actual);
      }
      Dl4jRuntime.init();
      // in today's layout, whichever version trained it
      MultiLayerNetwork network = Networks.upgraded(NetworkReader.read(networkFile));
      return new LoadedModel(network, () -> rotation(uri, networkFile, actual), manifest);
    } catch (IOException | RuntimeException e) {
      throw new ArtifactIntegrityException("artifact " + uri + " could not be loaded: " + e, e);
    }
  }

  /**
   * The rotation network inside {@code networkFile}, if it has one and still has
   * {@code sha256}; empty, with a warning, when it can no longer be read or was changed since
   * the classifier was loaded from it.
   */
  private static java.util.Optional<MultiLayerNetwork> rotation(
      URI uri, Path networkFile, String sha256) {
    try {
      String now = Checksums.sha256(networkFile);
      if (!now.equalsIgnoreCase(sha256)) {
        log.warn("artifact {} changed since it was loaded (sha256 {}, was {}): its rotation "
            + "network is not read", uri, now, sha256);
        return java.util.Optional.empty();
      }
      if (!ModelSerializer.listObjectsInFile(networkFile.toFile()).contains(ROTATION_ENTRY)) {
        return java.util.Optional.empty();
      }
      byte[] bytes = ModelSerializer.getObjectFromFile(networkFile.toFile(), ROTATION_ENTRY);
      return java.util.Optional.of(Networks.upgraded(NetworkReader.read(bytes)));
    } catch (IOException | RuntimeException e) {
      log.warn("artifact {}: its rotation network could not be read: {}", uri, e.toString());
      return java.util.Optional.empty();
    }
  }

  /**
   * Deletes the artifacts of {@code modelName} older than its newest {@code keep} (an
   * artifact is 2-4 MB, and a trainer publishes one every few dozen labels); returns the
   * versions deleted, oldest first. A reader that opened one of them keeps reading it.
   */
  public List<Long> prune(String modelName, int keep) throws IOException {
    if (keep < 1) {
      return List.of();
    }
    List<Long> versions = versions(modelName);
    List<Long> old = versions.subList(0, Math.max(0, versions.size() - keep));
    for (long version : old) {
      deleteQuietly(root.resolve(modelName).resolve("v" + version));
    }
    return List.copyOf(old);
  }

  /** The versions of {@code modelName} in the store ({@code v<N>} entries), oldest first. */
  public List<Long> versions(String modelName) throws IOException {
    Path modelDir = root.resolve(modelName);
    if (!Files.isDirectory(modelDir)) {
      return List.of();
    }
    List<Long> versions = new ArrayList<>();
    try (var entries = Files.list(modelDir)) {
      for (Path entry : entries.toList()) {
        Matcher m = VERSION_DIR.matcher(entry.getFileName().toString());
        if (m.matches()) {
          versions.add(Long.parseLong(m.group(1)));
        }
      }
    }
    Collections.sort(versions);
    return versions;
  }

  /** Reads the manifest of the artifact in {@code dir}. */
  public static ModelManifest readManifest(Path dir) throws IOException {
    return JSON.readValue(dir.resolve(MANIFEST_FILE).toFile(), ModelManifest.class);
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("the model store " + to.getParent()
          + " does not support atomic renames; use a local or POSIX shared file system", e);
    }
  }

  private static void deleteQuietly(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException | UncheckedIOException e) {
      // a leftover temp directory is harmless: readers only look at v<version>
    }
  }
}
