package dev.spindle.bench.serving;

import dev.spindle.schemas.ImageIds;
import dev.spindle.bench.BenchReport;
import dev.spindle.ingest.loader.FashionMnist;
import dev.spindle.ingest.loader.IdxFile;
import dev.spindle.ingest.loader.PngEncoder;
import dev.spindle.model.InputShape;
import dev.spindle.model.NetworkSpec;
import dev.spindle.model.Networks;
import dev.spindle.model.artifact.ModelManifest;
import dev.spindle.model.artifact.ModelStore;
import dev.spindle.model.artifact.StoredModel;
import dev.spindle.schemas.ClassNames;
import dev.spindle.schemas.TopicProvisioner;
import dev.spindle.schemas.Topics;
import dev.spindle.schemas.avro.Image;
import dev.spindle.schemas.avro.ModelVersion;
import dev.spindle.schemas.config.Settings;
import dev.spindle.serving.ServingConfig;
import dev.spindle.serving.ServingService;
import dev.spindle.stack.LocalStack;
import dev.spindle.stack.StackConfig;
import java.net.URI;
import java.net.http.HttpResponse;
import java.net.http.HttpRequest;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * serving-service on a fresh local stack with a real-size Fashion-MNIST classifier (artifacts
 * with the rotation network inside, as the trainer's): HTTP predict latency at 1/8/32 clients,
 * streaming predictions/s, hot swaps under load (models event to serving, latency during swaps
 * vs steady, failed requests). Writes results/serving-benchmark.{md,json}.
 */
@Command(name = "serving-benchmark", mixinStandardHelpOptions = true,
    description = "Measures serving latency, streaming throughput and hot swaps under load; "
        + "writes results/serving-benchmark.{md,json}.")
public final class ServingBenchmark implements Callable<Integer> {
  @Option(names = "--seconds", defaultValue = "15", description = "Per HTTP load level.")
  int seconds;

  @Option(names = "--stream-images", defaultValue = "40000",
      description = "Images pushed through the prediction stream.")
  int streamImages;

  @Option(names = "--swaps", defaultValue = "20", description = "Model swaps under load.")
  int swaps;

  @Option(names = "--cut", defaultValue = "4", description = "Classifier cut block.")
  int cut;

  @Option(names = "--drift-seconds", defaultValue = "30",
      description = "serving.drift.interval.seconds for the service (default ${DEFAULT-VALUE}, "
          + "the service's default).")
  int driftSeconds;

  @Option(names = "--http-only", description = "Only the HTTP latency levels, printed, no "
      + "results file (for quick experiments).")
  boolean httpOnly;

  @Option(names = "--batch-size", defaultValue = "64",
      description = "serving.batch.size: most images per stream inference (default "
          + "${DEFAULT-VALUE}, the service's default).")
  int batchSize;

  @Option(names = "--linger-ms", defaultValue = "5",
      description = "serving.batch.linger.ms: longest wait for a fuller stream batch (default "
          + "${DEFAULT-VALUE}, the service's default).")
  int lingerMs;

  @Option(names = "--representatives", defaultValue = "10",
      description = "serving.label.requests.representatives: label requests as representatives "
          + "of this many times per.window least sure images, 0 = the least sure themselves "
          + "(default ${DEFAULT-VALUE}, the service's default).")
  int representatives;

  @Option(names = "--stream-only", description = "Only the streaming run, printed, no "
      + "results file (for quick comparisons).")
  boolean streamOnly;

  @Option(names = "--cold-swaps", description = "Measure the swaps under load without first "
      + "warming up the swap path (model loading and building) with swaps without load.")
  boolean coldSwaps;

  @Option(names = "--out", defaultValue = "results", description = "Results directory.")
  Path out;

  /** Model swaps per warm-up step of the swap path. */
  private static final int SWAP_WARM_UP_STEP = 10;
  /**
   * Warm-up steps until the JITs (this JVM's and the stack's) compile on less than a tenth of
   * a core (at most 20).
   */
  private final JitWarmUp warmUp = new JitWarmUp(0.1, 20);

  public static void main(String[] args) {
    System.exit(new CommandLine(new ServingBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    IdxFile test = IdxFile.read(Path.of(FashionMnist.TEST_IMAGES));
    List<byte[]> pngs = new ArrayList<>();
    for (int i = 0; i < test.count(); i++) {
      pngs.add(PngEncoder.fromIdx(test, i));
    }
    Path work = Files.createTempDirectory("spindle-serving-bench");
    Map<String, Object> results = new LinkedHashMap<>();
    try (LocalStack stack = LocalStack.start(StackConfig.ephemeral(work.resolve("stack")))) {
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()))) {
        TopicProvisioner.ensureTopics(admin, 3, (short) 1);
      }
      Topics topics = Topics.create(Map.of("schema.registry.url", stack.registryUrl()));
      ServingConfig config = ServingConfig.from(Settings.of(Map.of(
          "kafka.bootstrap.servers", stack.bootstrapServers(),
          "schema.registry.url", stack.registryUrl(),
          "serving.http.host", "127.0.0.1", "serving.http.port", "0",
          "serving.state.dir", work.resolve("state").toString(),
          "serving.drift.interval.seconds", Integer.toString(driftSeconds),
          "serving.batch.size", Integer.toString(batchSize),
          "serving.batch.linger.ms", Integer.toString(lingerMs),
          "serving.label.requests.representatives", Integer.toString(representatives))));
      ModelStore store = new ModelStore(work.resolve("models"));
      NetworkSpec spec = NetworkSpec.forInput(InputShape.FASHION_MNIST, cut);
      try (ServingService serving = new ServingService(config).start();
          KafkaProducer<String, ModelVersion> models = new KafkaProducer<>(Map.of(
              "bootstrap.servers", stack.bootstrapServers()),
              topics.models().keySerde().serializer(), topics.models().valueSerde().serializer())) {
        awaitServing(serving, publish(models, store, spec, 1), Duration.ofMinutes(2));
        URI predict = URI.create("http://127.0.0.1:" + serving.httpPort() + "/v1/predict");
        URI metrics = URI.create("http://127.0.0.1:" + serving.httpPort() + "/metrics");
        if (streamOnly) {
          System.out.println(stream(stack, topics, pngs, metrics));
          return 0;
        }
        results.put("http_warm_up_steps", warmUp.run("HTTP (8 clients, 5 s)",
            () -> load(predict, pngs, 8, Duration.ofSeconds(5))));
        for (int clients : new int[] {1, 8, 32}) {
          LatencyRecorder latencies = load(predict, pngs, clients, Duration.ofSeconds(seconds));
          results.put("http_c" + clients + "_p50_ms", latencies.percentileMs(0.5));
          results.put("http_c" + clients + "_p99_ms", latencies.percentileMs(0.99));
          results.put("http_c" + clients + "_server_p50_ms", latencies.serverPercentileMs(0.5));
          results.put("http_c" + clients + "_server_p99_ms", latencies.serverPercentileMs(0.99));
          results.put("http_c" + clients + "_per_s", latencies.count() / (double) seconds);
          results.put("http_c" + clients + "_failed", latencies.failures());
          System.out.printf("HTTP %d clients: p50 %.2f ms, p99 %.2f ms (server %.2f / %.2f ms), "
                  + "%.0f/s%n", clients, latencies.percentileMs(0.5), latencies.percentileMs(0.99),
              latencies.serverPercentileMs(0.5), latencies.serverPercentileMs(0.99),
              latencies.count() / (double) seconds);
        }
        if (httpOnly) {
          System.out.println(results);
          return 0;
        }
        results.putAll(stream(stack, topics, pngs, metrics));
        results.putAll(swapUnderLoad(serving, models, store, spec, predict, pngs));
      }
    }
    BenchReport.write(out, "serving-benchmark", results, markdown(results));
    System.out.println(markdown(results));
    return 0;
  }

  private LatencyRecorder load(URI predict, List<byte[]> pngs, int clients, Duration duration)
      throws InterruptedException {
    LatencyRecorder latencies = new LatencyRecorder(2_000_000);
    try (HttpClients load = new HttpClients(predict, pngs, clients, latencies)) {
      Thread.sleep(duration.toMillis());
    }
    return latencies;
  }

  /**
   * Streaming predictions/s: batches of 5,000 images first, until the JIT settles (see
   * {@link JitWarmUp}), then {@code streamImages} timed from the first send to the last prediction
   * committed; with the stream's mean batch and the share of the wall time it spent inferring,
   * from serving's own metrics.
   */
  private Map<String, Object> stream(LocalStack stack, Topics topics, List<byte[]> pngs,
      URI metrics) throws Exception {
    int[] step = {0};
    int warmUpSteps = warmUp.run("stream (5000 images)",
        () -> pushAndAwait(stack, topics, pngs, "warm-up" + step[0]++ + "-", 5_000));
    Map<String, Double> before = batchMetrics(metrics);
    double compilingBefore = warmUp.compilingSeconds();
    double stackCompilingBefore = warmUp.childCompilingSeconds();
    long started = System.nanoTime();
    long done = pushAndAwait(stack, topics, pngs, "timed", streamImages);
    double secondsTaken = (System.nanoTime() - started) / 1e9;
    double jitCores = (warmUp.compilingSeconds() - compilingBefore) / secondsTaken;
    double stackJitCores = (warmUp.childCompilingSeconds() - stackCompilingBefore) / secondsTaken;
    Map<String, Double> after = batchMetrics(metrics);
    double batches = after.get("count") - before.get("count");
    double meanBatch = (after.get("images") - before.get("images")) / Math.max(1, batches);
    double inferring = (after.get("seconds") - before.get("seconds")) / secondsTaken;
    System.out.printf("stream: %d predictions in %.1f s, mean batch %.1f images, inference "
        + "busy %.2f cores, JIT compiling %.2f cores (this JVM) and %.2f (broker + registry)%n",
        done, secondsTaken, meanBatch, inferring, jitCores, stackJitCores);
    // end offsets include transaction markers: an upper bound on records, noted in the report
    return Map.of("stream_images", streamImages, "stream_seconds", secondsTaken,
        "stream_predictions_per_s", Math.min(done, streamImages) / secondsTaken,
        "stream_mean_batch", meanBatch, "stream_inference_cores", inferring,
        "stream_jit_cores", jitCores, "stream_stack_jit_cores", stackJitCores,
        "stream_warm_up_images", warmUpSteps * 5_000);
  }

  /** Sends {@code count} new images to images.unlabeled and waits until all are predicted. */
  private static long pushAndAwait(LocalStack stack, Topics topics, List<byte[]> pngs,
      String prefix, int count) throws Exception {
    // one admin client for the whole run: creating one per check costs more than the check
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()))) {
      long before = endOffsets(admin, topics.predictions().name());
      try (KafkaProducer<String, Image> producer = new KafkaProducer<>(Map.of(
          "bootstrap.servers", stack.bootstrapServers(), "linger.ms", 5),
          topics.imagesUnlabeled().keySerde().serializer(),
          topics.imagesUnlabeled().valueSerde().serializer())) {
        for (int i = 0; i < count; i++) {
          byte[] png = pngs.get(i % pngs.size());
          String id = ImageIds.of((prefix + i + ":" + png.length).getBytes());
          producer.send(new ProducerRecord<>(topics.imagesUnlabeled().name(), id,
              Image.newBuilder().setId(id).setBytes(ByteBuffer.wrap(png))
                  .setMediaType("image/png").setWidth(28).setHeight(28).setSource("bench")
                  .setIngestedAt(Instant.now()).build()));
        }
      }
      long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
      long done;
      while ((done = endOffsets(admin, topics.predictions().name()) - before) < count
          && System.nanoTime() < deadline) {
        System.out.printf("\rstream %s: %d/%d predicted", prefix, done, count);
        Thread.sleep(200);
      }
      System.out.println();
      return done;
    }
  }

  /** The stream's batch histograms from serving's /metrics: count, images, seconds. */
  private static Map<String, Double> batchMetrics(URI metrics) throws Exception {
    String text = HttpClient.newHttpClient().send(HttpRequest.newBuilder(metrics).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    return Map.of(
        "count", sample(text, "spindle_serving_stream_batch_images_count"),
        "images", sample(text, "spindle_serving_stream_batch_images_sum"),
        "seconds", sample(text, "spindle_serving_stream_batch_seconds_sum"));
  }

  private static double sample(String text, String name) {
    for (String line : text.split("\n")) {
      if (line.startsWith(name + " ")) {
        return Double.parseDouble(line.substring(name.length() + 1).trim());
      }
    }
    return 0;
  }

  private Map<String, Object> swapUnderLoad(ServingService serving,
      KafkaProducer<String, ModelVersion> models, ModelStore store, NetworkSpec spec, URI predict,
      List<byte[]> pngs) throws Exception {
    // swapping runs code nothing else runs (artifact reading, network building): like the
    // request path, it is measured once this JVM's JIT has compiled it, not while C2 compiles
    // it on the cores the requests need (40-80 compilations a second during the first 20
    // swaps, ~2 in the steady window before them)
    long[] version = {serving.holder().current().orElseThrow().version()};
    int warmUpSteps = coldSwaps ? 0
        : warmUp.run("swaps (" + SWAP_WARM_UP_STEP + " models, no load)", () -> {
          for (int i = 0; i < SWAP_WARM_UP_STEP; i++) {
            awaitServing(serving, publish(models, store, spec, ++version[0]),
                Duration.ofMinutes(1));
          }
        });
    // the trainer's work (building and storing the artifacts) happens elsewhere in real life:
    // done before the load starts, so the window under test holds only serving's swap work
    List<ModelVersion> events = new ArrayList<>();
    for (int i = 0; i < swaps; i++) {
      events.add(storedEvent(store, spec, ++version[0]));
    }
    LatencyRecorder steady = load(predict, pngs, 8, Duration.ofSeconds(seconds));
    LatencyRecorder during = new LatencyRecorder(2_000_000);
    List<Double> swapMs = new ArrayList<>();
    try (HttpClients load = new HttpClients(predict, pngs, 8, during)) {
      for (ModelVersion event : events) {
        long v = event.getVersion();
        long sent = System.nanoTime();
        models.send(new ProducerRecord<>("models", event.getModelName().toString(), event)).get();
        awaitServing(serving, v, Duration.ofMinutes(1));
        swapMs.add((System.nanoTime() - sent) / 1e6);
      }
    }
    double[] sorted = swapMs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("swaps", swaps);
    r.put("swap_warm_up_swaps", warmUpSteps * SWAP_WARM_UP_STEP);
    r.put("swap_ms_median", sorted[sorted.length / 2]);
    r.put("swap_ms_max", sorted[sorted.length - 1]);
    r.put("steady_p99_ms", steady.percentileMs(0.99));
    r.put("during_swaps_p99_ms", during.percentileMs(0.99));
    r.put("p99_ratio", during.percentileMs(0.99) / steady.percentileMs(0.99));
    r.put("failed_requests_during_swaps", during.failures());
    return r;
  }

  private static long publish(KafkaProducer<String, ModelVersion> models, ModelStore store,
      NetworkSpec spec, long version) throws Exception {
    ModelVersion event = storedEvent(store, spec, version);
    models.send(new ProducerRecord<>("models", event.getModelName().toString(), event)).get();
    return version;
  }

  private static ModelVersion storedEvent(ModelStore store, NetworkSpec spec, long version)
      throws Exception {
    MultiLayerNetwork net = Networks.classifier(spec, 10, 1e-3, version);
    StoredModel stored = store.write(net, Networks.rotationNet(spec, 1e-3, version),
        new ModelManifest("fashion-mnist", version, version, spec.input().toString(),
            ClassNames.FASHION_MNIST, spec.cutBlock(), 0, Map.of(), new int[10][10],
            Instant.now(), null));
    return ModelVersion.newBuilder().setModelName("fashion-mnist").setVersion(version)
        .setBackboneVersion(version).setArtifactUri(stored.uri().toString())
        .setSha256(stored.sha256()).setMetrics(Map.of()).setLabelsUsed(0)
        .setCreatedAt(Instant.now()).build();
  }

  private static void awaitServing(ServingService serving, long version, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (serving.holder().current().map(m -> m.version()).orElse(0L) < version) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("model v" + version + " not serving after " + timeout
            + ": " + serving.holder().history());
      }
      Thread.sleep(5);
    }
  }

  private static long endOffsets(Admin admin, String topic) throws Exception {
    Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
    admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
        .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
    return admin.listOffsets(latest).all().get().values().stream()
        .mapToLong(o -> o.offset()).sum();
  }

  private static String markdown(Map<String, Object> r) {
    StringBuilder md = new StringBuilder("# Serving benchmark\n\n");
    md.append("Fresh local stack, real-size Fashion-MNIST classifier (untrained weights: speed "
        + "does not depend on them; a rotation network inside, as the trainer's), test PNGs, "
        + "2 cores shared by broker, registry, service and clients; warm-up load (8 clients, 5 s "
        + "steps; stream batches of 5,000 images) until the JIT compiles on less than a tenth "
        + "of a core, in this JVM and the broker's and registry's, before the timed runs.\n\n"
        + "Client = as the benchmark's HTTP client measured it (same JVM and cores as the "
        + "service); server = the service's own time, decode to answer, from its "
        + "`Server-Timing` header.\n\n"
        + "| HTTP clients | p50 ms | p99 ms | server p50 ms | server p99 ms | requests/s | failed |"
        + "\n|---|---|---|---|---|---|---|\n");
    for (int c : new int[] {1, 8, 32}) {
      md.append(String.format("| %d | %.2f | %.2f | %.2f | %.2f | %.0f | %s |%n", c,
          (double) r.get("http_c" + c + "_p50_ms"), (double) r.get("http_c" + c + "_p99_ms"),
          (double) r.get("http_c" + c + "_server_p50_ms"),
          (double) r.get("http_c" + c + "_server_p99_ms"),
          (double) r.get("http_c" + c + "_per_s"), r.get("http_c" + c + "_failed")));
    }
    md.append(String.format("%nStreaming: %s images predicted at %.0f predictions/s "
            + "(end-to-end, from the first send to the last prediction committed, after %d "
            + "warm-up images); mean batch %.1f images; inference kept %.2f cores busy; the "
            + "JIT compiled on %.2f of a core meanwhile here and %.2f in the broker and "
            + "registry.%n%n",
        r.get("stream_images"), (double) r.get("stream_predictions_per_s"),
        (int) r.get("stream_warm_up_images"), (double) r.get("stream_mean_batch"),
        (double) r.get("stream_inference_cores"), (double) r.get("stream_jit_cores"),
        (double) r.get("stream_stack_jit_cores")));
    md.append(String.format("Swaps under 8-client load (after %s warm-up swaps without load): "
            + "%s swaps, models event -> serving "
            + "median %.0f ms, max %.0f ms; p99 latency %.2f ms during swaps vs %.2f ms steady "
            + "(%.2fx); failed requests during swaps: %s.%n", r.get("swap_warm_up_swaps"),
        r.get("swaps"),
        (double) r.get("swap_ms_median"), (double) r.get("swap_ms_max"),
        (double) r.get("during_swaps_p99_ms"), (double) r.get("steady_p99_ms"),
        (double) r.get("p99_ratio"), r.get("failed_requests_during_swaps")));
    return md.toString();
  }
}
