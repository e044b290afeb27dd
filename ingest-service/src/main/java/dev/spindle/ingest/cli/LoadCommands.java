package dev.spindle.ingest.cli;

import dev.spindle.schemas.config.ConnectionOptions;

import dev.spindle.ingest.IngestConfig;
import dev.spindle.ingest.IngestPipeline;
import dev.spindle.ingest.IngestService;
import dev.spindle.ingest.loader.BulkLoader;
import dev.spindle.ingest.loader.LoadSummary;
import dev.spindle.ingest.publish.RecordSender;
import dev.spindle.schemas.Topics;
import java.util.List;
import java.util.Map;

/** What load-idx and load-dir share: connect, load, flush, print the summary. */
final class LoadCommands {
  static final int MAX_IN_FLIGHT = 20_000;

  private LoadCommands() {
  }

  /** Loads {@code items} and prints the summary; exit code 1 if anything failed to publish. */
  static int run(ConnectionOptions connection, ItemSupplier items) throws Exception {
    IngestConfig config = IngestConfig.from(connection.settings(Map.of()));
    IngestService.provisionTopics(config);
    Topics topics = Topics.create(config.clients().serde());
    try (RecordSender sender = RecordSender.forBulk(config.clients(), config.publishTimeout(),
        config.bulkLinger());
        IngestPipeline pipeline = IngestPipeline.create(config, topics, sender)) {
      LoadSummary summary = new BulkLoader(pipeline, MAX_IN_FLIGHT, System.err)
          .load(items.items(config));
      System.out.println(summary.describe());
      return summary.failed() == 0 ? 0 : 1;
    }
  }

  /** Builds the items once the configuration (class names) is known. */
  interface ItemSupplier {
    List<dev.spindle.ingest.loader.LoadItem> items(IngestConfig config) throws Exception;
  }
}
