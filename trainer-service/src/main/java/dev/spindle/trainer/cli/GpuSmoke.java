package dev.spindle.trainer.cli;

import dev.spindle.model.runtime.Dl4jRuntime;

import dev.spindle.model.InputShape;
import dev.spindle.model.NetworkSpec;
import dev.spindle.model.Networks;
import java.util.Properties;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The GPU smoke check (works on any backend): which backend and devices ND4J sees, a tiny
 * matmul checked against plain Java, one RotNet training step and its samples/s. Says plainly
 * when the backend has no kernels for the GPU it found (ND4J's CUDA 11.6 build stops at
 * compute capability 8.6, so Hopper may have none). Exit 0 = the backend works, 2 = it does not.
 */
public final class GpuSmoke {
  private GpuSmoke() {}

  public static void main(String[] args) {
    Dl4jRuntime.init();
    Properties env = Nd4j.getExecutioner().getEnvironmentInformation();
    System.out.println("ND4J backend: " + Dl4jRuntime.backend());
    env.forEach((k, v) -> {
      String key = k.toString();
      if (key.startsWith("cuda") || key.contains("blas") || key.contains("cores")) {
        System.out.println("  " + key + " = " + v);
      }
    });
    try {
      checkMatmul();
      trainingSpeed();
      System.out.println("RESULT: the " + Dl4jRuntime.backend() + " backend runs matmul and "
          + "conv training correctly on this machine.");
    } catch (Throwable t) {
      String message = String.valueOf(t.getMessage());
      boolean noKernels = message.contains("no kernel image")
          || message.contains("cudaErrorNoKernelImageForDevice") || message.contains("209");
      System.out.println(noKernels
          ? "RESULT: ND4J's " + Dl4jRuntime.backend() + " build has NO KERNELS for this GPU "
              + "(compiled for older compute capabilities): " + message
          : "RESULT: the backend FAILED: " + t);
      System.exit(2);
    }
  }

  private static void checkMatmul() {
    int n = 64;
    INDArray a = Nd4j.rand(n, n);
    INDArray b = Nd4j.rand(n, n);
    INDArray c = a.mmul(b);
    float[][] x = a.toFloatMatrix();
    float[][] y = b.toFloatMatrix();
    double worst = 0;
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        double sum = 0;
        for (int k = 0; k < n; k++) {
          sum += x[i][k] * y[k][j];
        }
        worst = Math.max(worst, Math.abs(sum - c.getDouble(i, j)));
      }
    }
    if (worst > 1e-3) {
      throw new IllegalStateException("matmul is wrong: max error " + worst);
    }
    System.out.printf("matmul %dx%d: correct (max error %.2e)%n", n, n, worst);
  }

  private static void trainingSpeed() {
    MultiLayerNetwork net =
        Networks.rotationNet(NetworkSpec.forInput(InputShape.FASHION_MNIST, 4), 1e-3, 1);
    INDArray features = Nd4j.rand(256, 1, 28, 28);
    INDArray labels = Nd4j.zeros(256, 4);
    for (int i = 0; i < 256; i++) {
      labels.putScalar(i, i % 4, 1);
    }
    DataSet batch = new DataSet(features, labels);
    for (int i = 0; i < 3; i++) {
      net.fit(batch);
    }
    int steps = 20;
    long t0 = System.nanoTime();
    for (int i = 0; i < steps; i++) {
      net.fit(batch);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    System.out.printf("RotNet training, batch 256 (64 images x 4 rotations): %.0f samples/s, "
        + "loss %.3f, %d layers on helpers%n", steps * 256 / seconds, net.score(),
        Dl4jRuntime.activeHelpers(net));
  }
}
