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
 * (the ceiling), the bulk loader over the same images, and HTTP uploads from concurrent clients,
 * one image per request and in batches; then checks that every image is on its topic exactly
 * once. Every path first runs once on warm-up images (new images, never measured), so each is
 * measured with the broker and this JVM past their JIT warm-up, not one path paying for the
 * others'. Writes markdown + JSON.
 */
@Command(name = "ingest-benchmark", mixinStandardHelpOptions = true,
    description = "Measures ingest images/s against a bare-producer ceiling on a fresh local "
        + "stack and writes results/ingest-benchmark.{md,json}.")
public final class IngestBenchmark implements Callable<Integer> {
  @Option(names = "--images", defaultValue = FashionMnist.TRAIN_IMAGES,
      description = "Images for the ceiling, the bulk loader and HTTP batches (inverted), "
          + "and for warm-up (transposed and inverted) (default: ${DEFAULT-VALUE}).")
  Path bulkImages;

  @Option(names = "--http-images", defaultValue = FashionMnist.TEST_IMAGES,
      description = "Images for one-per-request HTTP uploads (default: ${DEFAULT-VALUE}).")
  Path httpImages;

  @Option(names = "--clients", defaultValue = "8", description = "Concurrent HTTP clients.")
  int clients;

  @Option(names = "--batch-size", defaultValue = "500",
      description = "Images per POST /v1/images/batch (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--out", defaultValue = "results", description = "Results directory.")
  Path out;

  @Override
  public Integer call() throws Exception {
    IdxFile train = IdxFile.read(bulkImages);
    List<byte[]> bulk = PngImages.encodeAll(train);
    List<byte[]> batch = PngImages.encodeAll(train, PngImages::inverted);
    List<byte[]> warmUp = PngImages.encodeAll(train, PngImages::transposedInverted);
    List<byte[]> http = PngImages.encodeAll(IdxFile.read(httpImages));
    int half = warmUp.size() / 2;
    List<byte[]> warmUpBulk = warmUp.subList(0, half);
    List<byte[]> warmUpSingle = warmUp.subList(half, half + Math.min(2_000, half / 4));
    List<byte[]> warmUpBatch = warmUp.subList(half + warmUpSingle.size(), warmUp.size());
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

      CeilingProducer.createTopic(config);
      System.err.println("warm-up: every path once on " + warmUp.size() + " other images");
      CeilingProducer.run(config, topics, warmUp);
      runBulkLoader(config, topics, warmUpBulk);
      Rate ceiling = CeilingProducer.run(config, topics, bulk);
      Rate bulkRate = runBulkLoader(config, topics, bulk);
      Rate singleRate;
      Rate batchRate;
      try (HttpLoad load = HttpLoad.start(config)) {
        load.single(warmUpSingle, clients);
        load.batched(warmUpBatch, clients, batchSize);
        singleRate = load.single(http, clients);
        batchRate = load.batched(batch, clients, batchSize);
      }
      TopicAudit audit = TopicAudit.of(stack, topics,
          List.of(bulk, http, batch, warmUpBulk, warmUpSingle, warmUpBatch));

      Map<String, Object> results = new LinkedHashMap<>();
      results.put("images_bulk", bulk.size());
      results.put("images_http", http.size());
      results.put("images_http_batch", batch.size());
      results.put("warm_up_images", warmUp.size());
      results.put("ceiling_images_per_s", ceiling.perSecond());
      results.put("bulk_images_per_s", bulkRate.perSecond());
      results.put("http_images_per_s", singleRate.perSecond());
      results.put("http_batch_images_per_s", batchRate.perSecond());
      results.put("http_clients", clients);
      results.put("http_batch_size", batchSize);
      results.put("bulk_vs_ceiling", bulkRate.perSecond() / ceiling.perSecond());
      results.put("http_vs_ceiling", singleRate.perSecond() / ceiling.perSecond());
      results.put("http_batch_vs_ceiling", batchRate.perSecond() / ceiling.perSecond());
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
            + "same settings for all paths. Images: Fashion-MNIST as PNG files. Every path ran "
            + "once on " + r.get("warm_up_images") + " warm-up images before being measured.",
        "",
        "| path | images | images/s | vs ceiling |",
        "|---|---|---|---|",
        String.format("| bare KafkaProducer, pre-serialized records (ceiling) | %s | %.0f | 1.00 |",
            r.get("images_bulk"), (double) r.get("ceiling_images_per_s")),
        row("bulk loader (validate, hash, dedup, Avro, send)", r.get("images_bulk"),
            r.get("bulk_images_per_s"), r.get("bulk_vs_ceiling")),
        row("HTTP POST /v1/images/batch, " + r.get("http_batch_size") + " images per request, "
            + r.get("http_clients") + " clients", r.get("images_http_batch"),
            r.get("http_batch_images_per_s"), r.get("http_batch_vs_ceiling")),
        row("HTTP POST /v1/images, one image per request, " + r.get("http_clients") + " clients",
            r.get("images_http"), r.get("http_images_per_s"), r.get("http_vs_ceiling")),
        "",
        String.format("Lost: %s. Duplicates: %s (distinct images expected: %s).",
            r.get("lost"), r.get("duplicates"), r.get("distinct_images_expected")),
        "");
  }

  private static String row(String path, Object images, Object perSecond, Object ratio) {
    return String.format("| %s | %s | %.0f | %.2f |", path, images, (double) perSecond,
        (double) ratio);
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new IngestBenchmark()).execute(args));
  }
}
