package dev.spindle.ingest.loader;

import dev.spindle.ingest.IngestPipeline;
import dev.spindle.ingest.publish.IngestResult;
import dev.spindle.ingest.validation.RejectedInputException;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds many images through the same {@link IngestPipeline} as HTTP uploads (same validation,
 * dedup and acknowledgement), keeping up to {@code maxInFlight} sends outstanding so the
 * producer can batch, and reports progress and a summary.
 */
public final class BulkLoader {
  private static final Logger log = LoggerFactory.getLogger(BulkLoader.class);

  private final IngestPipeline pipeline;
  private final int maxInFlight;
  private final PrintStream progressOut;

  public BulkLoader(IngestPipeline pipeline, int maxInFlight, PrintStream progressOut) {
    this.pipeline = pipeline;
    this.maxInFlight = maxInFlight;
    this.progressOut = progressOut;
  }

  /** Loads every item and returns when all are acknowledged, rejected or failed. */
  public LoadSummary load(List<LoadItem> items) throws InterruptedException {
    long started = System.nanoTime();
    Semaphore slots = new Semaphore(maxInFlight);
    AtomicLong accepted = new AtomicLong();
    AtomicLong labeled = new AtomicLong();
    AtomicLong duplicates = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    Map<String, Long> rejected = new ConcurrentHashMap<>();
    ProgressBar progress = new ProgressBar(progressOut, items.size());
    long done = 0;
    for (LoadItem item : items) {
      slots.acquire();
      try {
        pipeline.ingestImage(item.upload().get()).whenComplete((IngestResult result, Throwable e) -> {
          if (e != null) {
            failed.incrementAndGet();
            log.warn("{} not stored: {}", item.name(), e.getMessage());
          } else if (result.duplicate()) {
            duplicates.incrementAndGet();
          } else {
            accepted.incrementAndGet();
            if (result.labeled()) {
              labeled.incrementAndGet();
            }
          }
          slots.release();
        });
      } catch (RejectedInputException e) {
        slots.release();
        rejected.merge(e.reason().code(), 1L, Long::sum);
        log.warn("{} rejected ({}): {}", item.name(), e.reason().code(), e.getMessage());
      } catch (java.io.UncheckedIOException e) {
        slots.release();
        rejected.merge("unreadable", 1L, Long::sum);
        log.warn("{} unreadable: {}", item.name(), e.getMessage());
      }
      done++;
      progress.update(done, "accepted " + accepted.get() + " dup " + duplicates.get());
    }
    slots.acquire(maxInFlight);
    progress.finish(done, "accepted " + accepted.get() + " dup " + duplicates.get());
    return new LoadSummary(items.size(), accepted.get(), labeled.get(), duplicates.get(),
        rejected, failed.get(), (System.nanoTime() - started) / 1e9);
  }
}
