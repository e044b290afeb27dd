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
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
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
 * others'. The ceiling, the bulk loader and HTTP batches are then measured in {@code repeats}
 * passes over new images each (a pass over 60k images lasts under a second, so one pass moves
 * by several points with whatever else the 2 cores do); pass i of a path is compared with
 * ceiling pass i, and the median pass is reported with the range. Writes markdown + JSON.
 */
@Command(name = "ingest-benchmark", mixinStandardHelpOptions = true,
    description = "Measures ingest images/s against a bare-producer ceiling on a fresh local "
        + "stack and writes results/ingest-benchmark.{md,json}.")
public final class IngestBenchmark implements Callable<Integer> {
  @Option(names = "--images", defaultValue = FashionMnist.TRAIN_IMAGES,
      description = "Images for the ceiling, the bulk loader and HTTP batches (each pass a new "
          + "XOR of the pixels), "
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

  @Option(names = "--repeats", defaultValue = "3",
      description = "Measured passes of the ceiling, the bulk loader and HTTP batches, each over "
          + "new images; the median pass is reported, with the range (default: ${DEFAULT-VALUE}).")
  int repeats;

  @Option(names = "--bulk-in-flight", defaultValue = "20000",
      description = "Images the bulk loader keeps unacknowledged at most (default: "
          + "${DEFAULT-VALUE}).")
  int bulkInFlight;

  @Option(names = "--bulk-linger-ms",
      description = "linger.ms of the bulk loader's producer and the ceiling's, the same for "
          + "both (default: ingest.bulk.linger.ms's, 25).")
  Integer bulkLingerMs;

  @Option(names = "--out", defaultValue = "results", description = "Results directory.")
  Path out;

  @Override
  public Integer call() throws Exception {
    if (bulkInFlight < 1) {
      throw new CommandLine.ParameterException(new CommandLine(this),
          "--bulk-in-flight must be at least 1, was " + bulkInFlight);
    }
    if (repeats < 1 || repeats > 128) {
      // masks 0..repeats-1 (bulk) and 255-repeats+1..255 (batches) must not meet
      throw new CommandLine.ParameterException(new CommandLine(this),
          "--repeats must be between 1 and 128, was " + repeats);
    }
    IdxFile train = IdxFile.read(bulkImages);
    List<List<byte[]>> bulkPasses = new ArrayList<>();
    List<List<byte[]>> batchPasses = new ArrayList<>();
    for (int pass = 0; pass < repeats; pass++) {
      bulkPasses.add(PngImages.encodeAll(train, PngImages.xor(pass)));
      batchPasses.add(PngImages.encodeAll(train, PngImages.xor(255 - pass)));
    }
    List<byte[]> warmUp = PngImages.encodeAll(train, PngImages::transposedInverted);
    List<byte[]> http = PngImages.encodeAll(IdxFile.read(httpImages));
    int half = warmUp.size() / 2;
    List<byte[]> warmUpBulk = warmUp.subList(0, half);
    List<byte[]> warmUpSingle = warmUp.subList(half, half + Math.min(2_000, half / 4));
    List<byte[]> warmUpBatch = warmUp.subList(half + warmUpSingle.size(), warmUp.size());
    try (LocalStack stack = LocalStack.start(StackConfig.ephemeral(
        Files.createTempDirectory("spindle-bench")))) {
      Map<String, String> settings = new HashMap<>(Map.of(
          "kafka.bootstrap.servers", stack.bootstrapServers(),
          "schema.registry.url", stack.registryUrl(),
          "ingest.http.host", "127.0.0.1", "ingest.http.port", "0",
          "ingest.join.enabled", "false",
          "ingest.state.dir", Files.createTempDirectory("bench-state").toString()));
      if (bulkLingerMs != null) {
        settings.put("ingest.bulk.linger.ms", bulkLingerMs.toString());
      }
      IngestConfig config = IngestConfig.from(Settings.of(settings));
      IngestService.provisionTopics(config);
      Topics topics = Topics.create(config.clients().serde());

      CeilingProducer.createTopic(config);
      System.err.println("warm-up: every path once on " + warmUp.size() + " other images");
      CeilingProducer.run(config, topics, warmUp);
      runBulkLoader(config, topics, warmUpBulk, bulkInFlight, new ArrayList<>());
      List<Rate> ceilingRates = new ArrayList<>();
      List<Rate> bulkRates = new ArrayList<>();
      List<Double> bulkAtLimit = new ArrayList<>();
      for (int pass = 0; pass < repeats; pass++) {
        ceilingRates.add(CeilingProducer.run(config, topics, bulkPasses.get(pass)));
        bulkRates.add(runBulkLoader(config, topics, bulkPasses.get(pass), bulkInFlight,
            bulkAtLimit));
      }
      Rate singleRate;
      List<Rate> batchRates = new ArrayList<>();
      try (HttpLoad load = HttpLoad.start(config)) {
        load.single(warmUpSingle, clients);
        load.batched(warmUpBatch, clients, batchSize);
        singleRate = load.single(http, clients);
        for (int pass = 0; pass < repeats; pass++) {
          batchRates.add(load.batched(batchPasses.get(pass), clients, batchSize));
        }
      }
      double[] ceiling = Rate.perSecond(ceilingRates);
      double[] bulk = Rate.perSecond(bulkRates);
      double[] batch = Rate.perSecond(batchRates);
      List<List<byte[]>> sent = new ArrayList<>(List.of(http, warmUpBulk, warmUpSingle,
          warmUpBatch));
      sent.addAll(bulkPasses);
      sent.addAll(batchPasses);
      TopicAudit audit = TopicAudit.of(stack, topics, sent);

      Passes bulkPass = Passes.median(bulk, ceiling);
      Passes batchPass = Passes.median(batch, ceiling);
      double medianCeiling = Passes.median(ceiling);
      Map<String, Object> results = new LinkedHashMap<>();
      results.put("images_bulk", bulkPasses.get(0).size());
      results.put("images_http", http.size());
      results.put("images_http_batch", batchPasses.get(0).size());
      results.put("warm_up_images", warmUp.size());
      results.put("passes", repeats);
      results.put("ceiling_images_per_s", medianCeiling);
      results.put("bulk_images_per_s", bulkPass.rate());
      results.put("http_images_per_s", singleRate.perSecond());
      results.put("http_batch_images_per_s", batchPass.rate());
      results.put("bulk_in_flight", bulkInFlight);
      results.put("bulk_linger_ms", config.bulkLinger().toMillis());
      results.put("bulk_at_in_flight_limit",
          Passes.median(bulkAtLimit.stream().mapToDouble(Double::doubleValue).toArray()));
      results.put("http_clients", clients);
      results.put("http_batch_size", batchSize);
      results.put("bulk_vs_ceiling", bulkPass.ratio());
      results.put("http_vs_ceiling", singleRate.perSecond() / medianCeiling);
      results.put("http_batch_vs_ceiling", batchPass.ratio());
      results.put("ceiling_images_per_s_passes", ceiling);
      results.put("bulk_images_per_s_passes", bulk);
      results.put("http_batch_images_per_s_passes", batch);
      results.put("bulk_vs_ceiling_range", bulkPass.range());
      results.put("http_batch_vs_ceiling_range", batchPass.range());
      Map<String, CpuShare> cpu = new LinkedHashMap<>();
      cpu.put("ceiling", CpuShare.of(ceilingRates));
      cpu.put("bulk", CpuShare.of(bulkRates));
      cpu.put("http_batch", CpuShare.of(batchRates));
      cpu.put("http_single", CpuShare.of(List.of(singleRate)));
      results.put("cpu", cpu);
      results.put("batching", Map.of("ceiling", ProducerStats.median(ceilingRates),
          "bulk", ProducerStats.median(bulkRates)));
      results.put("lost", audit.lost());
      results.put("duplicates", audit.duplicates());
      results.put("distinct_images_expected", audit.expected());
      BenchReport.write(out, "ingest-benchmark", results, markdown(results));
      System.out.println(markdown(results));
      return audit.lost() == 0 && audit.duplicates() == 0 ? 0 : 1;
    }
  }

  /** One bulk-loader pass; adds the share of it spent at the in-flight limit to atLimit. */
  private static Rate runBulkLoader(IngestConfig config, Topics topics, List<byte[]> images,
      int maxInFlight, List<Double> atLimit) throws InterruptedException {
    List<LoadItem> items = new ArrayList<>(images.size());
    for (int i = 0; i < images.size(); i++) {
      byte[] png = images.get(i);
      items.add(new LoadItem("bench#" + i, () -> new ImageUpload(png, Optional.empty(),
          Optional.empty(), Optional.of("bench"), Optional.empty())));
    }
    try (RecordSender sender = RecordSender.forBulk(config.clients(), config.publishTimeout(),
        config.bulkLinger());
        IngestPipeline pipeline = IngestPipeline.create(config, topics, sender)) {
      CpuClock cpu = CpuClock.start();
      LoadSummary summary = new BulkLoader(pipeline, maxInFlight, System.err).load(items);
      CpuClock.CpuUse used = cpu.stop();
      System.err.println("bulk loader: " + summary.describe());
      atLimit.add(summary.atLimitShare());
      return new Rate(summary.total(), summary.seconds(), used,
          ProducerStats.of(sender.metrics()));
    }
  }

  private static String markdown(Map<String, Object> r) {
    return String.join("\n",
        "# Ingest benchmark",
        "",
        "Fresh local stack (real KRaft broker + Apicurio), producer acks=all, idempotent, "
            + "the same settings for the ceiling, the bulk loader and HTTP batches (linger.ms="
            + r.get("bulk_linger_ms") + ", ingest.bulk.linger.ms), linger.ms=0 for single HTTP "
            + "uploads, as ingest serves them. Images: Fashion-MNIST as PNG files. Every path ran "
            + "once on " + r.get("warm_up_images") + " warm-up images before being measured. "
            + "The ceiling, the bulk loader and HTTP batches were measured in " + r.get("passes")
            + " passes over new images each; pass i of a path is compared with ceiling pass i, "
            + "and the table shows the ceiling's median pass and each path's median pass by "
            + "that ratio (its range in brackets).",
        "",
        "| path | images | images/s | vs ceiling |",
        "|---|---|---|---|",
        String.format("| bare KafkaProducer, pre-serialized records (ceiling) | %s | %.0f | 1.00 |",
            r.get("images_bulk"), (double) r.get("ceiling_images_per_s")),
        row("bulk loader (validate, hash, dedup, Avro, send; at most " + r.get("bulk_in_flight")
            + " in flight)", r.get("images_bulk"),
            r.get("bulk_images_per_s"), r.get("bulk_vs_ceiling"), r.get("bulk_vs_ceiling_range")),
        row("HTTP POST /v1/images/batch, " + r.get("http_batch_size") + " images per request, "
            + r.get("http_clients") + " clients", r.get("images_http_batch"),
            r.get("http_batch_images_per_s"), r.get("http_batch_vs_ceiling"),
            r.get("http_batch_vs_ceiling_range")),
        row("HTTP POST /v1/images, one image per request, " + r.get("http_clients") + " clients",
            r.get("images_http"), r.get("http_images_per_s"), r.get("http_vs_ceiling"), null),
        "",
        String.format("Lost: %s. Duplicates: %s (distinct images expected: %s).",
            r.get("lost"), r.get("duplicates"), r.get("distinct_images_expected")),
        "",
        String.format("The bulk loader was at its limit of %s images in flight, waiting on "
            + "acknowledgements, %.0f%% of the time (median over its passes): where that is "
            + "high, acknowledgements, not validation, set its pace.", r.get("bulk_in_flight"),
            100 * (double) r.get("bulk_at_in_flight_limit")),
        "",
        "CPU per image while each path ran (median over its passes): the machine's busy cores "
            + "from /proc/stat (broker, registry, this JVM and the kernel's network work), this "
            + "JVM alone (the ceiling's producer, or ingest with its HTTP clients), and the "
            + "stack's processes (broker + registry). Where every core is busy, a path's ratio "
            + "to the ceiling is the ratio of their CPU per image. Where cores are idle, the "
            + "busiest thread of this JVM (its CPU over the pass's time: 100% is one core all "
            + "the time) shows whether one thread bounds the path; the producer's network "
            + "thread carries every record and every acknowledgement's callbacks.",
        "",
        "| path | machine us/image | this JVM us/image | broker + registry us/image | cores busy "
            + "| busiest thread | producer network thread |",
        "|---|---|---|---|---|---|---|",
        cpuRow("ceiling", r), cpuRow("bulk", r), cpuRow("http_batch", r),
        cpuRow("http_single", r),
        "",
        "How the producer batched (its own metrics, median over the passes; the same settings "
            + "for both, linger.ms=" + r.get("bulk_linger_ms") + "):",
        "",
        "| path | records per request | bytes per batch | request latency ms |",
        "|---|---|---|---|",
        batchingRow("ceiling", r), batchingRow("bulk", r),
        "");
  }

  @SuppressWarnings("unchecked")
  private static String cpuRow(String path, Map<String, Object> r) {
    CpuShare share = ((Map<String, CpuShare>) r.get("cpu")).get(path);
    return String.format("| %s | %.1f | %.1f | %.1f | %.0f%% | %s, %.0f%% | %.0f%% |", path,
        share.machineMicrosPerImage(), share.processMicrosPerImage(),
        share.childMicrosPerImage(), 100 * share.utilisation(),
        share.busiestThread().replace("|", "\\|"), 100 * share.busiestThreadShare(),
        100 * share.producerIoShare());
  }

  @SuppressWarnings("unchecked")
  private static String batchingRow(String path, Map<String, Object> r) {
    ProducerStats stats = ((Map<String, ProducerStats>) r.get("batching")).get(path);
    return String.format("| %s | %.0f | %.0f | %.1f |", path, stats.recordsPerRequest(),
        stats.batchBytes(), stats.requestLatencyMs());
  }

  /**
   * Median CPU per image of a path's passes and how busy the machine was; the busiest thread's
   * share, median over the passes, named after the pass where it was highest; the producer's
   * network thread's share, median over the passes.
   */
  record CpuShare(double machineMicrosPerImage, double processMicrosPerImage,
      double childMicrosPerImage, double utilisation, String busiestThread,
      double busiestThreadShare, double producerIoShare) {
    static CpuShare of(List<Rate> passes) {
      String busiest = passes.stream()
          .max(Comparator.comparingDouble(r -> r.cpu().busiestShare()))
          .map(r -> r.cpu().busiest().name()).orElse("none");
      return new CpuShare(
          Rate.median(passes, r -> r.cpu().microsPer(r.cpu().machineSeconds(), r.count())),
          Rate.median(passes, r -> r.cpu().microsPer(r.cpu().processSeconds(), r.count())),
          Rate.median(passes, r -> r.cpu().microsPer(r.cpu().childSeconds(), r.count())),
          Rate.median(passes, r -> r.cpu().utilisation()), busiest,
          Rate.median(passes, r -> r.cpu().busiestShare()),
          Rate.median(passes, r -> r.cpu().producerIoShare()));
    }

  }

  private static String row(String path, Object images, Object perSecond, Object ratio,
      Object range) {
    String spread = range instanceof double[] r
        ? String.format(" (%.2f-%.2f)", r[0], r[1]) : "";
    return String.format("| %s | %s | %.0f | %.2f%s |", path, images, (double) perSecond,
        (double) ratio, spread);
  }

  /** The median of a path's passes by its ratio to the ceiling pass beside each. */
  record Passes(double rate, double ratio, double[] range) {
    static Passes median(double[] rates, double[] ceilings) {
      Integer[] order = new Integer[rates.length];
      for (int i = 0; i < order.length; i++) {
        order[i] = i;
      }
      Arrays.sort(order,
          Comparator.comparingDouble(i -> rates[i] / ceilings[i]));
      int mid = order[order.length / 2];
      return new Passes(rates[mid], rates[mid] / ceilings[mid],
          new double[] {rates[order[0]] / ceilings[order[0]],
              rates[order[order.length - 1]] / ceilings[order[order.length - 1]]});
    }

    static double median(double[] values) {
      double[] sorted = values.clone();
      Arrays.sort(sorted);
      return sorted[sorted.length / 2];
    }
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new IngestBenchmark()).execute(args));
  }
}
