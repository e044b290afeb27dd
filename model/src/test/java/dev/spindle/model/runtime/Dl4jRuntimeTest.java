package dev.spindle.model.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.spindle.model.InputShape;
import dev.spindle.model.NetworkSpec;
import dev.spindle.model.Networks;
import java.util.concurrent.atomic.AtomicInteger;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * Fails when the M2.1 helper fix stops working (training would silently be ~7x slower), and
 * pins down the per-thread OpenMP setting serving relies on.
 */
class Dl4jRuntimeTest {
  @Test
  void shouldRunEveryConvAndBatchNormLayerOnAOneDnnHelper() {
    Dl4jRuntime.init();
    MultiLayerNetwork net =
        Networks.rotationNet(NetworkSpec.forInput(InputShape.FASHION_MNIST, 4), 1e-3, 1);
    var labels = Nd4j.zeros(8, 4);
    labels.getColumn(0).assign(1);
    net.fit(new DataSet(Nd4j.rand(8, 1, 28, 28), labels));

    assertThat(Dl4jRuntime.backend()).isEqualToIgnoringCase("CPU");
    assertThat(Dl4jRuntime.layersWithoutHelper(net)).isEmpty();
    assertThat(Dl4jRuntime.activeHelpers(net)).isGreaterThanOrEqualTo(8);
  }

  @Test
  void shouldRunWorkOnOneThreadOnlyForTheCallingThreadAndRestoreItsSetting() throws Exception {
    Dl4jRuntime.init();
    NativeOps ops = NativeOpsHolder.getInstance().getDeviceNativeOps();
    int before = ops.ompGetMaxThreads();
    assumeTrue(before > 1, "one OpenMP thread only on this machine");
    AtomicInteger elsewhere = new AtomicInteger();

    int inside = Dl4jRuntime.onThreads(1, () -> {
      Thread other = new Thread(() -> elsewhere.set(ops.ompGetMaxThreads()));
      other.start();
      join(other);
      return ops.ompGetMaxThreads();
    });

    assertThat(inside).isEqualTo(1);
    assertThat(elsewhere.get()).as("another thread keeps its threads").isEqualTo(before);
    assertThat(ops.ompGetMaxThreads()).as("restored").isEqualTo(before);
  }

  private static void join(Thread thread) {
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
