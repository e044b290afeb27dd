package dev.spindle.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * CPU time spent while a measured stretch runs: the whole machine's (from {@code /proc/stat}:
 * the broker, the registry, this JVM and the kernel's network work together, on a machine that
 * runs nothing else), this JVM's own, and its child processes' (the local stack's broker and
 * registry). Where a path and the ceiling both keep every core busy, their throughput
 * ratio is the ratio of the CPU each spends per image, and this says where it goes. Where
 * cores are left idle, the busiest thread of this JVM says whether one thread bounds the path.
 */
final class CpuClock {
  private static final double TICKS_PER_SECOND = ProcStat.TICKS_PER_SECOND;

  private final long startedNanos;
  private final long machineBusyTicks;
  private final long processNanos;
  private final long childTicks;
  private final ThreadClock threadClock;

  private CpuClock(long startedNanos, long machineBusyTicks, long processNanos,
      long childTicks, ThreadClock threadClock) {
    this.startedNanos = startedNanos;
    this.machineBusyTicks = machineBusyTicks;
    this.processNanos = processNanos;
    this.childTicks = childTicks;
    this.threadClock = threadClock;
  }

  static CpuClock start() {
    return new CpuClock(System.nanoTime(), machineBusyTicks(), processNanos(), childTicks(),
        ThreadClock.start());
  }

  /** What was spent since {@link #start}; machine figures are NaN where /proc is missing. */
  CpuUse stop() {
    double wall = (System.nanoTime() - startedNanos) / 1e9;
    long busy = machineBusyTicks();
    double machine = busy < 0 || machineBusyTicks < 0
        ? Double.NaN : (busy - machineBusyTicks) / TICKS_PER_SECOND;
    long children = childTicks();
    double child = children < 0 || childTicks < 0
        ? Double.NaN : (children - childTicks) / TICKS_PER_SECOND;
    return new CpuUse(wall, machine, (processNanos() - processNanos) / 1e9, child,
        Runtime.getRuntime().availableProcessors(), threadClock.stop());
  }

  /**
   * CPU seconds over {@code wallSeconds} on {@code cores}: all busy cores of the machine, this
   * JVM's share of them, its child processes' (those alive at both ends), and what each thread
   * of this JVM spent (those that ended on the way too), the busiest first.
   */
  record CpuUse(double wallSeconds, double machineSeconds, double processSeconds,
      double childSeconds, int cores, List<ThreadClock.ThreadCpu> threads) {
    /** Busy share of all cores, 0..1. */
    double utilisation() {
      return machineSeconds / (wallSeconds * cores);
    }

    /** The thread of this JVM that spent the most. */
    ThreadClock.ThreadCpu busiest() {
      return threads.isEmpty() ? new ThreadClock.ThreadCpu("none", 0) : threads.get(0);
    }

    /** The busiest thread's CPU over the wall time: 1.0 is one core all the time. */
    double busiestShare() {
      return busiest().seconds() / wallSeconds;
    }

    /**
     * The producers' network threads' CPU over the wall time: every record a producer sends,
     * and every acknowledgement's callbacks, pass through its one network thread.
     */
    double producerIoShare() {
      return threads.stream().filter(t -> t.name().startsWith("kafka-producer-network-thread"))
          .mapToDouble(ThreadClock.ThreadCpu::seconds).sum() / wallSeconds;
    }

    /** {@code seconds} (one of this record's CPU figures) in microseconds per item. */
    double microsPer(double seconds, long items) {
      return seconds * 1e6 / items;
    }
  }

  /**
   * user + nice + system + irq + softirq of the "cpu" line (not steal: the hypervisor's, not
   * ours); -1 without /proc.
   */
  private static long machineBusyTicks() {
    try {
      String line = Files.readAllLines(Path.of("/proc/stat")).get(0);
      String[] f = line.trim().split("\\s+");
      long busy = 0;
      for (int i : new int[] {1, 2, 3, 6, 7}) {
        busy += Long.parseLong(f[i]);
      }
      return busy;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /**
   * user + system ticks of this JVM's descendants (fields 14-15 of {@code /proc/PID/stat}; a
   * process that ended in between is left out, as is one that started); -1 without /proc.
   */
  private static long childTicks() {
    long[] total = {0};
    try {
      ProcessHandle.current().descendants().forEach(child -> total[0] += ticksOf(child.pid()));
      return total[0];
    } catch (RuntimeException e) {
      return -1;
    }
  }

  private static long ticksOf(long pid) {
    return ProcStat.read(Path.of("/proc", Long.toString(pid), "stat"))
        .map(ProcStat::cpuTicks).orElse(0L);   // 0: it ended
  }

  private static long processNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
        ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }
}
