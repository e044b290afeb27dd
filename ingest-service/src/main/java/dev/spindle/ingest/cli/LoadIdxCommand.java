package dev.spindle.ingest.cli;

import dev.spindle.schemas.config.ConnectionOptions;

import dev.spindle.ingest.loader.FashionMnist;
import dev.spindle.ingest.loader.IdxSource;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "load-idx", mixinStandardHelpOptions = true,
    description = {"Loads Fashion-MNIST (IDX) images: each is encoded as a PNG and ingested like "
        + "an upload (validated, deduplicated, acknowledged). Chosen images carry their label.",
        "Example: load-idx --labeled-per-class 4"})
final class LoadIdxCommand implements Callable<Integer> {
  @Mixin
  ConnectionOptions connection;

  @Option(names = "--images", defaultValue = FashionMnist.TRAIN_IMAGES,
      description = "IDX image file (default: ${DEFAULT-VALUE}).")
  Path images;

  @Option(names = "--labels", defaultValue = FashionMnist.TRAIN_LABELS,
      description = "IDX label file (default: ${DEFAULT-VALUE}).")
  Path labels;

  @ArgGroup(exclusive = true)
  LabelChoice labelChoice = new LabelChoice();

  @Option(names = "--limit", defaultValue = "-1",
      description = "Load only the first N images (default: all).")
  int limit;

  static final class LabelChoice {
    @Option(names = "--labeled-per-class", defaultValue = "-1",
        description = "The first K images of each class (file order) carry their label.")
    int perClass = -1;

    @Option(names = "--labeled-fraction", defaultValue = "0",
        description = "This fraction of images (spread evenly) carry their label (default 0).")
    double fraction;
  }

  @Override
  public Integer call() throws Exception {
    return LoadCommands.run(connection, config -> IdxSource.items(images, labels,
        config.classNames(), labelChoice.perClass, labelChoice.fraction, limit));
  }
}
