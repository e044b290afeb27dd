package dev.spindle.bench.serving;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;

/**
 * Repeats a warm-up step until this JVM's JIT compiler is nearly idle: until one step took
 * less than {@code settledShare} of a core in compilation, or {@code maxSteps} steps. A service
 * runs for hours; measured while C2 still compiles Kafka Streams, Avro, Jetty and ND4J (a
 * third of both cores in the first minute on 2 cores), it would look slower than it is.
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

  /** Runs {@code step} until the JIT settles; returns how many steps it took. */
  int run(String what, Step step) throws Exception {
    for (int i = 1; ; i++) {
      long compiling = jit.getTotalCompilationTime();
      long started = System.nanoTime();
      step.run();
      double share = (jit.getTotalCompilationTime() - compiling) * 1e6
          / (System.nanoTime() - started);
      System.out.printf("warm-up %s, step %d: JIT compiling %.2f of a core%n", what, i, share);
      if (share < settledShare || i == maxSteps) {
        return i;
      }
    }
  }

  /** Seconds this JVM's JIT has spent compiling so far. */
  double compilingSeconds() {
    return jit.getTotalCompilationTime() / 1e3;
  }
}
