package dev.spindle.model.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A batch's rows worked on as parts side by side, each on one OpenMP thread: the first part on
 * the calling thread, the others on daemon threads of their own. On the 2-core development
 * machine oneDNN's convolutions shared one batch between two OpenMP threads poorly; two halves
 * side by side, one OpenMP thread each, were 15-27% faster.
 */
public final class Parts {
  /** Runs the parts after the first (daemon threads, made as needed, reused). */
  private static final ExecutorService THREADS = Executors.newCachedThreadPool(task -> {
    Thread thread = new Thread(task, "batch-part");
    thread.setDaemon(true);
    return thread;
  });

  private Parts() {}

  /**
   * How many parts a batch of {@code rows} splits into on the calling thread: as many as it may
   * use OpenMP threads, each of at least {@code minRows} rows (below 2: do not split).
   */
  public static int of(long rows, int minRows) {
    return (int) Math.min(Dl4jRuntime.threadsHere(), rows / minRows);
  }

  /**
   * {@code work} over {@code parts} ranges [from, to) that together cover [0, rows), each on
   * one OpenMP thread; their results in part order. Returns only once every part has finished,
   * also when one failed (so none still writes a shared array), then throws the first failure.
   */
  public static <T> List<T> run(int parts, long rows, Work<T> work) {
    List<Future<T>> others = new ArrayList<>();
    for (int p = 1; p < parts; p++) {
      int part = p;
      long from = rows * p / parts;
      long to = rows * (p + 1) / parts;
      others.add(THREADS.submit(() -> Dl4jRuntime.onThreads(1, () -> work.run(part, from, to))));
    }
    List<T> results = new ArrayList<>();
    RuntimeException failure = null;
    try {
      results.add(Dl4jRuntime.onThreads(1, () -> work.run(0, 0, rows / parts)));
    } catch (RuntimeException e) {
      failure = e;
    }
    boolean interrupted = false;
    for (Future<T> part : others) {
      while (true) {
        try {
          results.add(part.get());
          break;
        } catch (ExecutionException e) {
          if (failure == null) {
            failure = e.getCause() instanceof RuntimeException r ? r
                : new IllegalStateException(e.getCause());
          }
          break;
        } catch (InterruptedException e) {
          interrupted = true; // the part still works on the batch's arrays: wait for it
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (failure != null) {
      throw failure;
    }
    return results;
  }

  /** The work on rows [from, to) of the batch, part {@code part} of them. */
  @FunctionalInterface
  public interface Work<T> {
    T run(int part, long from, long to);
  }
}
