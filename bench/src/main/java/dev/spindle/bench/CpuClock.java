package dev.spindle.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
  private final Map<Long, Long> threadNanos;

  private CpuClock(long startedNanos, long machineBusyTicks, long processNanos,
      long childTicks, Map<Long, Long> threadNanos) {
    this.startedNanos = startedNanos;
    this.machineBusyTicks = machineBusyTicks;
    this.processNanos = processNanos;
    this.childTicks = childTicks;
    this.threadNanos = threadNanos;
  }

  static CpuClock start() {
    return new CpuClock(System.nanoTime(), machineBusyTicks(), processNanos(), childTicks(),
        threadNanos());
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
        Runtime.getRuntime().availableProcessors(), threadsSince(threadNanos));
  }

  /**
   * CPU seconds over {@code wallSeconds} on {@code cores}: all busy cores of the machine, this
   * JVM's share of them, its child processes' (those alive at both ends), and what each thread
   * of this JVM alive at the end spent, the busiest first.
   */
  record CpuUse(double wallSeconds, double machineSeconds, double processSeconds,
      double childSeconds, int cores, List<ThreadCpu> threads) {
    /** Busy share of all cores, 0..1. */
    double utilisation() {
      return machineSeconds / (wallSeconds * cores);
    }

    /** The thread of this JVM that spent the most. */
    ThreadCpu busiest() {
      return threads.isEmpty() ? new ThreadCpu("none", 0) : threads.get(0);
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
          .mapToDouble(ThreadCpu::seconds).sum() / wallSeconds;
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

  /** A thread (its name with numbers as N) and the CPU seconds it spent. */
  record ThreadCpu(String name, double seconds) {
  }

  /** CPU nanoseconds so far of each live thread of this JVM, by thread id. */
  private static Map<Long, Long> threadNanos() {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    Map<Long, Long> nanos = new HashMap<>();
    for (long id : threads.getAllThreadIds()) {
      long cpu = threads.getThreadCpuTime(id);
      if (cpu >= 0) {
        nanos.put(id, cpu);
      }
    }
    return nanos;
  }

  /** What each thread spent since {@code before} (a new one from zero), the busiest first. */
  private static List<ThreadCpu> threadsSince(Map<Long, Long> before) {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    List<ThreadCpu> spent = new ArrayList<>();
    for (Map.Entry<Long, Long> now : threadNanos().entrySet()) {
      long nanos = now.getValue() - before.getOrDefault(now.getKey(), 0L);
      ThreadInfo info = threads.getThreadInfo(now.getKey());
      if (nanos > 0 && info != null) {
        spent.add(new ThreadCpu(info.getThreadName().replaceAll("\\d+", "N"), nanos / 1e9));
      }
    }
    spent.sort(Comparator.comparingDouble(ThreadCpu::seconds).reversed());
    return spent;
  }

  private static long processNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
        ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }
}
