package dev.spindle.ingest.loader;

import dev.spindle.ingest.IngestPipeline;
import dev.spindle.ingest.publish.IngestResult;
import dev.spindle.ingest.validation.RejectedInputException;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds many images through the same {@link IngestPipeline} as HTTP uploads (same validation,
 * dedup and acknowledgement), on {@code workers} threads (validation decodes every image, the
 * costly part, so it uses every core), keeping up to {@code maxInFlight} images outstanding so
 * the producer can batch, and reports progress and a summary. Images are not sent in list
 * order: each is keyed by its own id, and nothing downstream depends on the order of others.
 */
public final class BulkLoader {
  private static final Logger log = LoggerFactory.getLogger(BulkLoader.class);

  private final IngestPipeline pipeline;
  private final int maxInFlight;
  private final int workers;
  private final PrintStream progressOut;

  public BulkLoader(IngestPipeline pipeline, int maxInFlight, PrintStream progressOut) {
    this(pipeline, maxInFlight, Runtime.getRuntime().availableProcessors(), progressOut);
  }

  public BulkLoader(IngestPipeline pipeline, int maxInFlight, int workers, PrintStream progressOut) {
    this.pipeline = pipeline;
    this.maxInFlight = maxInFlight;
    this.workers = Math.max(1, workers);
    this.progressOut = progressOut;
  }

  /** Loads every item and returns when all are acknowledged, rejected or failed. */
  public LoadSummary load(List<LoadItem> items) throws InterruptedException {
    long started = System.nanoTime();
    Semaphore slots = new Semaphore(maxInFlight);
    Tally tally = new Tally();
    ProgressBar progress = new ProgressBar(progressOut, items.size());
    ExecutorService pool = Executors.newFixedThreadPool(workers, runnable -> {
      Thread thread = new Thread(runnable, "bulk-loader");
      thread.setDaemon(true);
      return thread;
    });
    long atLimitNanos = 0;
    try {
      long done = 0;
      for (LoadItem item : items) {
        if (!slots.tryAcquire()) {
          // all maxInFlight images are unanswered: the broker's acknowledgements set the pace
          long waiting = System.nanoTime();
          slots.acquire();
          atLimitNanos += System.nanoTime() - waiting;
        }
        CompletableFuture.supplyAsync(() -> pipeline.ingestImage(item.upload().get()), pool)
            .thenCompose(Function.identity())
            .whenComplete((result, error) -> {
              tally.record(item, result, error);
              slots.release();
            });
        done++;
        progress.update(done, tally.describe());
      }
      slots.acquire(maxInFlight);
      progress.finish(done, tally.describe());
    } finally {
      pool.shutdownNow();
    }
    return new LoadSummary(items.size(), tally.accepted.get(), tally.labeled.get(),
        tally.duplicates.get(), tally.rejected, tally.failed.get(),
        (System.nanoTime() - started) / 1e9, atLimitNanos / 1e9);
  }

  /** Outcomes so far, from many threads. */
  private static final class Tally {
    final AtomicLong accepted = new AtomicLong();
    final AtomicLong labeled = new AtomicLong();
    final AtomicLong duplicates = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final Map<String, Long> rejected = new ConcurrentHashMap<>();

    void record(LoadItem item, IngestResult result, Throwable error) {
      Throwable cause = error instanceof CompletionException && error.getCause() != null
          ? error.getCause() : error;
      if (cause instanceof RejectedInputException e) {
        rejected.merge(e.reason().code(), 1L, Long::sum);
        log.warn("{} rejected ({}): {}", item.name(), e.reason().code(), e.getMessage());
      } else if (cause instanceof java.io.UncheckedIOException e) {
        rejected.merge("unreadable", 1L, Long::sum);
        log.warn("{} unreadable: {}", item.name(), e.getMessage());
      } else if (cause != null) {
        failed.incrementAndGet();
        log.warn("{} not stored: {}", item.name(), cause.getMessage());
      } else if (result.duplicate()) {
        duplicates.incrementAndGet();
      } else {
        accepted.incrementAndGet();
        if (result.labeled()) {
          labeled.incrementAndGet();
        }
      }
    }

    String describe() {
      return "accepted " + accepted.get() + " dup " + duplicates.get();
    }
  }
}
