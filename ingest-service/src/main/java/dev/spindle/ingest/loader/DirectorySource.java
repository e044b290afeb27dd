package dev.spindle.ingest.loader;

import dev.spindle.ingest.publish.ImageUpload;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A directory as uploads: files in a subfolder carry the subfolder's name as their label
 * (validated like any label, so an unknown folder name is rejected); loose files at the top are
 * unlabeled. Hidden files are skipped. Order is sorted by path, so loads are repeatable.
 */
public final class DirectorySource {
  private DirectorySource() {
  }

  public static List<LoadItem> items(Path root) throws IOException {
    if (!Files.isDirectory(root)) {
      throw new IOException(root + " is not a directory");
    }
    List<LoadItem> items = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root, 2)) {
      files.filter(Files::isRegularFile)
          .filter(p -> !p.getFileName().toString().startsWith("."))
          .sorted()
          .forEach(file -> items.add(item(root, file)));
    }
    return items;
  }

  private static LoadItem item(Path root, Path file) {
    Path relative = root.relativize(file);
    Optional<String> label = relative.getNameCount() > 1
        ? Optional.of(relative.getName(0).toString()) : Optional.empty();
    return new LoadItem(relative.toString(), () -> new ImageUpload(read(file), Optional.empty(),
        label, Optional.of("load-dir"), label.map(l -> "load-dir")));
  }

  private static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }
}
