package dev.spindle.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * CPU time of each thread of this JVM over a measured stretch, threads that end during it
 * included: a sampler reads every thread's CPU time every {@value #SAMPLE_MILLIS} ms, so a
 * pool shut down before the stretch ends (the bulk loader's) still counts up to its last
 * sample. The sampler itself is left out.
 */
final class ThreadClock {
  static final long SAMPLE_MILLIS = 20;
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /** A thread (its name with numbers as N) and the CPU seconds it spent. */
  record ThreadCpu(String name, double seconds) {
  }

  private final Map<Long, Long> atStart;
  private final Map<Long, Long> latest = new ConcurrentHashMap<>();
  private final Map<Long, String> names = new ConcurrentHashMap<>();
  private final Thread sampler;

  private ThreadClock() {
    atStart = sample();
    sampler = new Thread(this::sampleUntilInterrupted, "thread-clock-sampler");
    sampler.setDaemon(true);
    sampler.start();
  }

  static ThreadClock start() {
    return new ThreadClock();
  }

  /** What each thread spent since {@link #start}, the busiest first; can be called again. */
  List<ThreadCpu> stop() {
    sampler.interrupt();
    record(sample());
    List<ThreadCpu> spent = new ArrayList<>();
    latest.forEach((id, nanos) -> {
      long since = nanos - atStart.getOrDefault(id, 0L);
      if (since > 0 && id != sampler.getId()) {
        spent.add(new ThreadCpu(names.getOrDefault(id, "?"), since / 1e9));
      }
    });
    spent.sort(Comparator.comparingDouble(ThreadCpu::seconds).reversed());
    return spent;
  }

  private void sampleUntilInterrupted() {
    while (!Thread.currentThread().isInterrupted()) {
      record(sample());
      try {
        Thread.sleep(SAMPLE_MILLIS);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** Keeps each thread's highest reading (CPU time only grows; two samples may race). */
  private void record(Map<Long, Long> sample) {
    sample.forEach((id, nanos) -> latest.merge(id, nanos, Math::max));
  }

  /** CPU nanoseconds so far of each live thread; names the threads not yet named. */
  private Map<Long, Long> sample() {
    Map<Long, Long> nanos = new HashMap<>();
    for (long id : THREADS.getAllThreadIds()) {
      long cpu = THREADS.getThreadCpuTime(id);
      if (cpu < 0) {
        continue;
      }
      nanos.put(id, cpu);
      if (!names.containsKey(id)) {
        ThreadInfo info = THREADS.getThreadInfo(id);
        if (info != null) {
          names.put(id, info.getThreadName().replaceAll("\\d+", "N"));
        }
      }
    }
    return nanos;
  }
}
