package dev.spindle.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time spent while a measured stretch runs: the whole machine's (from {@code /proc/stat}:
 * the broker, the registry and this JVM together, on a machine that runs nothing else) and
 * this JVM's own. Where a path and the ceiling both keep every core busy, their throughput
 * ratio is the ratio of the CPU each spends per image, and this says where it goes.
 */
final class CpuClock {
  /** Linux's USER_HZ: /proc/stat counts in hundredths of a second. */
  private static final double TICKS_PER_SECOND = 100;

  private final long startedNanos;
  private final long machineBusyTicks;
  private final long processNanos;

  private CpuClock(long startedNanos, long machineBusyTicks, long processNanos) {
    this.startedNanos = startedNanos;
    this.machineBusyTicks = machineBusyTicks;
    this.processNanos = processNanos;
  }

  static CpuClock start() {
    return new CpuClock(System.nanoTime(), machineBusyTicks(), processNanos());
  }

  /** What was spent since {@link #start}; machine figures are NaN where /proc is missing. */
  CpuUse stop() {
    double wall = (System.nanoTime() - startedNanos) / 1e9;
    long busy = machineBusyTicks();
    double machine = busy < 0 || machineBusyTicks < 0
        ? Double.NaN : (busy - machineBusyTicks) / TICKS_PER_SECOND;
    return new CpuUse(wall, machine, (processNanos() - processNanos) / 1e9,
        Runtime.getRuntime().availableProcessors());
  }

  /**
   * CPU seconds over {@code wallSeconds} on {@code cores}: all busy cores of the machine, and
   * this JVM's share of them.
   */
  record CpuUse(double wallSeconds, double machineSeconds, double processSeconds, int cores) {
    /** Busy share of all cores, 0..1. */
    double utilisation() {
      return machineSeconds / (wallSeconds * cores);
    }

    /** Machine CPU microseconds per item. */
    double machineMicrosPer(long items) {
      return machineSeconds * 1e6 / items;
    }

    /** This JVM's CPU microseconds per item. */
    double processMicrosPer(long items) {
      return processSeconds * 1e6 / items;
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

  private static long processNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
        ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }
}
