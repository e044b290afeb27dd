package dev.spindle.bench.serving;

import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Repeats a warm-up step until the JIT compilers are nearly idle: until one step took less than
 * {@code settledShare} of a core in compilation, in this JVM and in its child processes (the
 * local stack's broker and registry) alike, or {@code maxSteps} steps. A service and its broker
 * run for hours; measured while C2 still compiles Kafka Streams, Avro, Jetty, ND4J or the
 * broker's request path (a third of both cores in the first minute on 2 cores, and the broker's
 * compiler still 8% of the machine after this JVM had settled), it would look slower than it is.
 */
final class JitWarmUp {
  /** One warm-up step. */
  interface Step {
    void run() throws Exception;
  }

  /** Linux's USER_HZ: /proc counts CPU time in hundredths of a second. */
  private static final double TICKS_PER_SECOND = 100;

  private final CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
  private final double settledShare;
  private final int maxSteps;

  JitWarmUp(double settledShare, int maxSteps) {
    this.settledShare = settledShare;
    this.maxSteps = maxSteps;
  }

  /** Runs {@code step} until the JITs settle; returns how many steps it took. */
  int run(String what, Step step) throws Exception {
    for (int i = 1; ; i++) {
      long compiling = jit.getTotalCompilationTime();
      long childCompiling = childCompilerTicks();
      long started = System.nanoTime();
      step.run();
      double seconds = (System.nanoTime() - started) / 1e9;
      double share = (jit.getTotalCompilationTime() - compiling) / 1e3 / seconds;
      double childShare = (childCompilerTicks() - childCompiling) / TICKS_PER_SECOND / seconds;
      System.out.printf("warm-up %s, step %d: JIT compiling %.2f of a core here, %.2f in the "
          + "stack's processes%n", what, i, share, childShare);
      if ((share < settledShare && childShare < settledShare) || i == maxSteps) {
        return i;
      }
    }
  }

  /** Seconds this JVM's JIT has spent compiling so far. */
  double compilingSeconds() {
    return jit.getTotalCompilationTime() / 1e3;
  }

  /** CPU seconds the child processes' JIT compiler threads have spent so far (0 without /proc). */
  double childCompilingSeconds() {
    return childCompilerTicks() / TICKS_PER_SECOND;
  }

  /**
   * user + system ticks of the JIT compiler threads ("C1 CompilerThre...", "C2 CompilerThre...")
   * of this JVM's descendants, from {@code /proc/PID/task/TID/stat}; 0 without /proc.
   */
  private static long childCompilerTicks() {
    return ProcessHandle.current().descendants()
        .mapToLong(child -> compilerTicks(Path.of("/proc", Long.toString(child.pid()), "task")))
        .sum();
  }

  private static long compilerTicks(Path tasks) {
    try (Stream<Path> threads = Files.list(tasks)) {
      return threads.mapToLong(JitWarmUp::compilerThreadTicks).sum();
    } catch (IOException | RuntimeException e) {
      return 0;   // the process ended, or no /proc
    }
  }

  private static long compilerThreadTicks(Path task) {
    try {
      String stat = Files.readString(task.resolve("stat"));
      String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (!name.startsWith("C1 CompilerThre") && !name.startsWith("C2 CompilerThre")) {
        return 0;
      }
      // fields after the name's ')': state is 3rd overall, utime and stime the 14th and 15th
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    } catch (IOException | RuntimeException e) {
      return 0;   // the thread ended
    }
  }
}
