package dev.spindle.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class CpuClockTest {
  /** Keeps one core busy for about {@code millis}; returns something so it is not optimised out. */
  private static long spin(long millis) {
    long until = System.nanoTime() + millis * 1_000_000;
    long x = 1;
    while (System.nanoTime() < until) {
      x = x * 6364136223846793005L + 1442695040888963407L;
    }
    return x;
  }

  @Test
  void shouldCountTheCpuThisJvmAndTheMachineSpentWhileItRan() {
    assumeThat(Files.isReadable(Path.of("/proc/stat"))).isTrue();
    CpuClock clock = CpuClock.start();

    long result = spin(300);
    CpuClock.CpuUse used = clock.stop();

    assertThat(result).isNotZero();
    assertThat(used.wallSeconds()).isGreaterThanOrEqualTo(0.3);
    assertThat(used.processSeconds()).isGreaterThan(0.1);
    // the machine's count includes this JVM's (to /proc/stat's 10 ms ticks)
    assertThat(used.machineSeconds()).isGreaterThan(used.processSeconds() - 0.05);
    assertThat(used.utilisation()).isBetween(0.0, 1.05);
    assertThat(used.microsPer(used.processSeconds(), 1000)).isCloseTo(
        used.processSeconds() * 1000, within(1e-9));
  }

  @Test
  void shouldCountTheCpuOfChildProcessesAliveAtBothEnds() throws Exception {
    assumeThat(Files.isReadable(Path.of("/proc/stat"))).isTrue();
    Process busy = new ProcessBuilder("sh", "-c", "while :; do :; done").start();
    try {
      CpuClock clock = CpuClock.start();

      // the child spins on a core of its own: its 10 ms ticks show up within a second
      await().atMost(Duration.ofSeconds(10))
          .until(() -> clock.stop().childSeconds() > 0.05);
    } finally {
      busy.destroyForcibly().waitFor();
    }
  }

  @Test
  void shouldNameTheBusiestThreadAndTheProducerNetworkThreadsShare() throws Exception {
    CpuClock clock = CpuClock.start();
    AtomicBoolean done = new AtomicBoolean();
    Thread network = new Thread(() -> {
      while (!done.get()) {
        spin(10);
      }
    }, "kafka-producer-network-thread | bench-7");
    network.start();
    CpuClock.CpuUse used;
    try {
      // measured while the thread still runs: a thread that ended is no longer counted
      await().atMost(Duration.ofSeconds(10)).until(() -> clock.stop().busiestShare() > 0.4);
      used = clock.stop();
    } finally {
      done.set(true);
      network.join();
    }

    assertThat(used.busiest().name()).isEqualTo("kafka-producer-network-thread | bench-N");
    assertThat(used.producerIoShare()).isEqualTo(used.busiestShare());
    assertThat(used.threads()).extracting(ThreadClock.ThreadCpu::seconds)
        .isSortedAccordingTo(Comparator.reverseOrder());
  }

  @Test
  void shouldCountAThreadThatEndedBeforeTheClockStopped() throws Exception {
    CpuClock clock = CpuClock.start();
    Thread worker = new Thread(() -> spin(300), "bulk-loader-3");
    worker.start();
    worker.join();

    // counted up to the sampler's last reading, at most a sampling period before it ended
    assertThat(clock.stop().threads()).anySatisfy(thread -> {
      assertThat(thread.name()).isEqualTo("bulk-loader-N");
      assertThat(thread.seconds()).isGreaterThan(0.1);
    });
  }
}
