package dev.spindle.bench.serving;

import dev.spindle.bench.ProcStat;
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
      double childCompiling = childCompilingSeconds();
      long started = System.nanoTime();
      step.run();
      double seconds = (System.nanoTime() - started) / 1e9;
      double share = (jit.getTotalCompilationTime() - compiling) / 1e3 / seconds;
      double childShare = (childCompilingSeconds() - childCompiling) / seconds;
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
    return childCompilerTicks() / ProcStat.TICKS_PER_SECOND;
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
    return ProcStat.read(task.resolve("stat"))
        .filter(t -> t.name().startsWith("C1 CompilerThre")
            || t.name().startsWith("C2 CompilerThre"))
        .map(ProcStat::cpuTicks).orElse(0L);   // 0: not a compiler thread, or it ended
  }
}
