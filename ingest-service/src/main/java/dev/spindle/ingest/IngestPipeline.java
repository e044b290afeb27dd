package dev.spindle.ingest;

import dev.spindle.ingest.publish.ImageUpload;
import dev.spindle.ingest.publish.IngestResult;
import dev.spindle.ingest.publish.PublishUnavailableException;
import dev.spindle.ingest.publish.RecordSender;
import dev.spindle.ingest.publish.SeenImages;
import dev.spindle.ingest.validation.ImageValidator;
import dev.spindle.ingest.validation.LabelNames;
import dev.spindle.ingest.validation.RejectedInputException;
import dev.spindle.ingest.validation.Rejection;
import dev.spindle.ingest.validation.ValidImage;
import dev.spindle.schemas.ImageIds;
import dev.spindle.schemas.Topics;
import dev.spindle.schemas.avro.Image;
import dev.spindle.schemas.avro.Label;
import dev.spindle.schemas.avro.LabeledImage;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * The one path every input takes, from HTTP and from the bulk loader: validate, compute the id,
 * deduplicate, publish, and complete only when the broker acknowledged. A labeled image goes to
 * {@code images.labeled}, an unlabeled one to {@code images.unlabeled}; a label for an image
 * already in Kafka goes to {@code labels}, where the label join picks it up. Concurrent uploads
 * of the same bytes share one publish, and the retry of a publish that failed without a known
 * outcome first looks whether the record was written, so the same image is never written twice
 * by one instance.
 */
public final class IngestPipeline implements AutoCloseable {
  private static final Duration CATCH_UP_TIMEOUT = Duration.ofSeconds(30);
  private final ImageValidator validator;
  private final LabelNames labelNames;
  private final Topics topics;
  private final RecordSender sender;
  private final RecordSender bulkSender;
  private final SeenImages seen;
  private final IngestMetrics metrics;
  private final Clock clock;
  private final ConcurrentMap<String, CompletableFuture<IngestResult>> inFlight =
      new ConcurrentHashMap<>();
  /** Images whose last publish failed: it may or may not have been written. */
  private final Set<String> uncertain = ConcurrentHashMap.newKeySet();

  public IngestPipeline(ImageValidator validator, LabelNames labelNames, Topics topics,
      RecordSender sender, SeenImages seen, IngestMetrics metrics, Clock clock) {
    this(validator, labelNames, topics, sender, sender, seen, metrics, clock);
  }

  /** With {@code bulkSender} for images that come in bulk ({@link #ingestBulkImage}). */
  public IngestPipeline(ImageValidator validator, LabelNames labelNames, Topics topics,
      RecordSender sender, RecordSender bulkSender, SeenImages seen, IngestMetrics metrics,
      Clock clock) {
    this.validator = validator;
    this.labelNames = labelNames;
    this.topics = topics;
    this.sender = sender;
    this.bulkSender = bulkSender;
    this.seen = seen;
    this.metrics = metrics;
    this.clock = clock;
  }

  /** A pipeline on {@code sender}, its dedup index following the image topics. */
  public static IngestPipeline create(IngestConfig config, Topics topics, RecordSender sender) {
    return create(config, topics, sender, sender);
  }

  /** The same, with {@code bulkSender} for images that come in bulk. */
  public static IngestPipeline create(IngestConfig config, Topics topics, RecordSender sender,
      RecordSender bulkSender) {
    SeenImages seen = SeenImages.follow(config.clients(),
        List.of(topics.imagesUnlabeled().name(), topics.imagesLabeled().name()));
    return new IngestPipeline(new ImageValidator(config.limits()), config.labelNames(), topics,
        sender, bulkSender, seen, new IngestMetrics(), Clock.systemUTC());
  }

  /**
   * Ingests one image. Bad input throws {@link RejectedInputException} before anything is
   * published; the returned future completes after the broker's acknowledgement, or fails with
   * a {@link dev.spindle.ingest.publish.PublishUnavailableException}.
   */
  public CompletableFuture<IngestResult> ingestImage(ImageUpload upload) {
    return ingestImage(upload, sender);
  }

  /**
   * {@link #ingestImage} for an image that comes with many others (a batch upload): sent
   * through the bulk sender, whose batches wait to fill, as its caller waits for all of them.
   * Its records and those of a concurrent single upload or label (the other producer) have no
   * order between them, as concurrent requests never had; once its caller is answered, they
   * are written before anything the caller sends next.
   */
  public CompletableFuture<IngestResult> ingestBulkImage(ImageUpload upload) {
    return ingestImage(upload, bulkSender);
  }

  private CompletableFuture<IngestResult> ingestImage(ImageUpload upload, RecordSender via) {
    ValidImage image = validator.validate(upload.bytes(), upload.contentType());
    Optional<String> label = upload.label().map(labelNames::require);
    String id = ImageIds.of(image.bytes());
    CompletableFuture<IngestResult> mine = new CompletableFuture<>();
    CompletableFuture<IngestResult> earlier = inFlight.putIfAbsent(id, mine);
    if (earlier != null) {
      return earlier.thenCompose(first -> duplicate(id, label, upload.annotator(), via));
    }
    if (seen.contains(id)) {
      inFlight.remove(id, mine);
      return duplicate(id, label, upload.annotator(), via);
    }
    CompletableFuture<IngestResult> attempt = uncertain.contains(id)
        ? publishUnlessWritten(id, image, label, upload, via)
        : publishNew(id, image, label, upload, via);
    attempt.whenComplete((result, error) -> {
      // the index is updated and the upload leaves inFlight before its caller hears back: a
      // retry sent the moment the caller learns of a failure must not join the failed attempt
      if (error == null) {
        seen.add(id);
        uncertain.remove(id);
      } else {
        // a send that timed out may still have been written: look before writing it again
        uncertain.add(id);
      }
      inFlight.remove(id, mine);
      if (error == null) {
        mine.complete(result);
      } else {
        mine.completeExceptionally(error);
      }
    });
    return mine;
  }

  /** Publishes an annotator's label for an image (which may not have arrived yet). */
  public CompletableFuture<Void> ingestLabel(String imageId, String label, Optional<String> annotator) {
    if (!ImageIds.isValid(imageId)) {
      throw new RejectedInputException(Rejection.BAD_REQUEST,
          "imageId must be the image's hex SHA-256 (64 lower-case hex digits), got '" + imageId + "'");
    }
    return publishLabel(imageId, labelNames.require(label), annotator, System.nanoTime(), sender);
  }

  /**
   * A retry of an image whose last publish failed without a known outcome (a delivery timeout
   * can come after the broker wrote the record): once the dedup index has read the image
   * topics to their end, a duplicate if the record is there, else published. While the broker
   * is away the index cannot catch up and the retry is told to come back later.
   */
  private CompletableFuture<IngestResult> publishUnlessWritten(String id, ValidImage image,
      Optional<String> label, ImageUpload upload, RecordSender via) {
    return seen.caughtUp()
        .orTimeout(CATCH_UP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .exceptionallyCompose(timeout -> CompletableFuture.failedFuture(
            new PublishUnavailableException("could not check whether image " + id + " was "
                + "written before its last publish timed out; retry later", timeout)))
        // async: not on the index's follower thread, which a blocking send would stall
        .thenComposeAsync(read -> seen.contains(id)
            ? duplicate(id, label, upload.annotator(), via)
            : publishNew(id, image, label, upload, via));
  }

  private CompletableFuture<IngestResult> publishNew(String id, ValidImage valid,
      Optional<String> label, ImageUpload upload, RecordSender via) {
    long started = System.nanoTime();
    Image image = Image.newBuilder()
        .setId(id)
        .setBytes(ByteBuffer.wrap(valid.bytes()))
        .setMediaType(valid.mediaType())
        .setWidth(valid.width())
        .setHeight(valid.height())
        .setSource(upload.source().orElse(null))
        .setIngestedAt(now())
        .build();
    if (label.isEmpty()) {
      return via.send(topics.imagesUnlabeled(), id, image)
          .thenApply(ack -> acknowledged(topics.imagesUnlabeled().name(), started,
              new IngestResult(id, false, false)));
    }
    LabeledImage labeled = LabeledImage.newBuilder()
        .setImage(image)
        .setLabel(label.get())
        .setAnnotator(upload.annotator().orElse(null))
        .setLabeledAt(image.getIngestedAt())
        .build();
    return via.send(topics.imagesLabeled(), id, labeled)
        .thenApply(ack -> acknowledged(topics.imagesLabeled().name(), started,
            new IngestResult(id, false, true)));
  }

  private CompletableFuture<IngestResult> duplicate(String id, Optional<String> label,
      Optional<String> annotator, RecordSender via) {
    metrics.duplicate();
    if (label.isEmpty()) {
      return CompletableFuture.completedFuture(new IngestResult(id, true, false));
    }
    return publishLabel(id, label.get(), annotator, System.nanoTime(), via)
        .thenApply(ack -> new IngestResult(id, true, true));
  }

  private CompletableFuture<Void> publishLabel(String imageId, String label,
      Optional<String> annotator, long started, RecordSender via) {
    Label event = Label.newBuilder()
        .setImageId(imageId)
        .setLabel(label)
        .setAnnotator(annotator.orElse(null))
        .setLabeledAt(now())
        .build();
    return via.send(topics.labels(), imageId, event)
        .thenApply(ack -> acknowledged(topics.labels().name(), started, null));
  }

  private <T> T acknowledged(String topic, long started, T result) {
    metrics.accepted(topic);
    metrics.published(started);
    return result;
  }

  private Instant now() {
    return clock.instant();
  }

  /**
   * Whether this instance knows image {@code id}: published here, or seen on the image topics
   * (another instance's records arrive within the follower's fetch wait, not at once).
   */
  public boolean knows(String id) {
    return seen.contains(id);
  }

  public ImageValidator validator() {
    return validator;
  }

  public IngestMetrics metrics() {
    return metrics;
  }

  /** Stops following the image topics for dedup. */
  @Override
  public void close() {
    seen.close();
  }
}
