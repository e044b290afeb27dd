package dev.spindle.bench;

import dev.spindle.ingest.IngestConfig;
import dev.spindle.ingest.IngestPipeline;
import dev.spindle.ingest.IngestService;
import dev.spindle.ingest.loader.BulkLoader;
import dev.spindle.ingest.loader.FashionMnist;
import dev.spindle.ingest.loader.IdxFile;
import dev.spindle.ingest.loader.LoadItem;
import dev.spindle.ingest.loader.LoadSummary;
import dev.spindle.ingest.publish.ImageUpload;
import dev.spindle.ingest.publish.RecordSender;
import dev.spindle.schemas.Topics;
import dev.spindle.schemas.config.Settings;
import dev.spindle.stack.LocalStack;
import dev.spindle.stack.StackConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Ingest throughput on a fresh local stack: a bare KafkaProducer sending pre-serialized records
 * (the ceiling), the bulk loader over the same images, and HTTP uploads from concurrent
 * clients; then checks that every image is on its topic exactly once. Writes markdown + JSON.
 */
@Command(name = "ingest-benchmark", mixinStandardHelpOptions = true,
    description = "Measures ingest images/s against a bare-producer ceiling on a fresh local "
        + "stack and writes results/ingest-benchmark.{md,json}.")
public final class IngestBenchmark implements Callable<Integer> {
  @Option(names = "--images", defaultValue = FashionMnist.TRAIN_IMAGES,
      description = "Images for the ceiling and the bulk loader (default: ${DEFAULT-VALUE}).")
  Path bulkImages;

  @Option(names = "--http-images", defaultValue = FashionMnist.TEST_IMAGES,
      description = "Images for the HTTP run (default: ${DEFAULT-VALUE}).")
  Path httpImages;

  @Option(names = "--clients", defaultValue = "8", description = "Concurrent HTTP clients.")
  int clients;

  @Option(names = "--out", defaultValue = "results", description = "Results directory.")
  Path out;

  @Override
  public Integer call() throws Exception {
    List<byte[]> bulk = PngImages.encodeAll(IdxFile.read(bulkImages));
    List<byte[]> http = PngImages.encodeAll(IdxFile.read(httpImages));
    try (LocalStack stack = LocalStack.start(StackConfig.ephemeral(
        Files.createTempDirectory("spindle-bench")))) {
      IngestConfig config = IngestConfig.from(Settings.of(Map.of(
          "kafka.bootstrap.servers", stack.bootstrapServers(),
          "schema.registry.url", stack.registryUrl(),
          "ingest.http.host", "127.0.0.1", "ingest.http.port", "0",
          "ingest.join.enabled", "false",
          "ingest.state.dir", Files.createTempDirectory("bench-state").toString())));
      IngestService.provisionTopics(config);
      Topics topics = Topics.create(config.clients().serde());

      Rate ceiling = CeilingProducer.run(config, topics, bulk);
      Rate bulkRate = runBulkLoader(config, topics, bulk);
      Rate httpRate = HttpLoad.run(config, http, clients);
      TopicAudit audit = TopicAudit.of(stack, topics, bulk, http);

      Map<String, Object> results = new LinkedHashMap<>();
      results.put("images_bulk", bulk.size());
      results.put("images_http", http.size());
      results.put("ceiling_images_per_s", ceiling.perSecond());
      results.put("bulk_images_per_s", bulkRate.perSecond());
      results.put("http_images_per_s", httpRate.perSecond());
      results.put("http_clients", clients);
      results.put("bulk_vs_ceiling", bulkRate.perSecond() / ceiling.perSecond());
      results.put("http_vs_ceiling", httpRate.perSecond() / ceiling.perSecond());
      results.put("lost", audit.lost());
      results.put("duplicates", audit.duplicates());
      results.put("distinct_images_expected", audit.expected());
      BenchReport.write(out, "ingest-benchmark", results, markdown(results));
      System.out.println(markdown(results));
      return audit.lost() == 0 && audit.duplicates() == 0 ? 0 : 1;
    }
  }

  private static Rate runBulkLoader(IngestConfig config, Topics topics, List<byte[]> images)
      throws InterruptedException {
    List<LoadItem> items = new ArrayList<>(images.size());
    for (int i = 0; i < images.size(); i++) {
      byte[] png = images.get(i);
      items.add(new LoadItem("bench#" + i, () -> new ImageUpload(png, Optional.empty(),
          Optional.empty(), Optional.of("bench"), Optional.empty())));
    }
    try (RecordSender sender = RecordSender.create(config.clients(), config.publishTimeout());
        IngestPipeline pipeline = IngestPipeline.create(config, topics, sender)) {
      LoadSummary summary = new BulkLoader(pipeline, 20_000, System.err).load(items);
      System.err.println("bulk loader: " + summary.describe());
      return new Rate(summary.total(), summary.seconds());
    }
  }

  private static String markdown(Map<String, Object> r) {
    return String.join("\n",
        "# Ingest benchmark",
        "",
        "Fresh local stack (real KRaft broker + Apicurio), producer acks=all, idempotent, "
            + "same settings for all three. Images: Fashion-MNIST as PNG files.",
        "",
        "| path | images | images/s | vs ceiling |",
        "|---|---|---|---|",
        String.format("| bare KafkaProducer, pre-serialized records (ceiling) | %s | %.0f | 1.00 |",
            r.get("images_bulk"), (double) r.get("ceiling_images_per_s")),
        String.format("| bulk loader (validate, hash, dedup, Avro, send) | %s | %.0f | %.2f |",
            r.get("images_bulk"), (double) r.get("bulk_images_per_s"),
            (double) r.get("bulk_vs_ceiling")),
        String.format("| HTTP POST /v1/images, %s clients | %s | %.0f | %.2f |",
            r.get("http_clients"), r.get("images_http"), (double) r.get("http_images_per_s"),
            (double) r.get("http_vs_ceiling")),
        "",
        String.format("Lost: %s. Duplicates: %s (distinct images expected: %s).",
            r.get("lost"), r.get("duplicates"), r.get("distinct_images_expected")),
        "");
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new IngestBenchmark()).execute(args));
  }
}
