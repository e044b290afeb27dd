package dev.spindle.trainer.cli;

import dev.spindle.model.InputShape;
import dev.spindle.model.NetworkSpec;
import dev.spindle.model.Networks;
import dev.spindle.model.runtime.Dl4jRuntime;
import java.util.Optional;
import java.util.Properties;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The GPU smoke check (works on any backend): which backend and devices ND4J sees, a tiny
 * matmul checked against plain Java, one RotNet training run and its samples/s. Says plainly
 * when the CUDA build finds no NVIDIA driver, and when the backend has no kernels for the GPU
 * it found (ND4J's CUDA 11.6 build stops at compute capability 8.6, so Hopper may have none).
 * Exit 0 = the backend works, 2 = it does not.
 */
public final class GpuSmoke {
  /** The CUDA backend's class: on the classpath only in the {@code -Pcuda} build. */
  private static final String CUDA_BACKEND = "org.nd4j.linalg.jcublas.JCublasBackend";
  private static final String CUDA_RUNTIME = "org.bytedeco.cuda.global.cudart";

  /** What one timed training run measured. */
  record TrainingRun(double samplesPerSecond, double loss, int layersOnHelpers) {}

  private GpuSmoke() {}

  public static void main(String[] args) {
    Optional<String> noDriver = missingCudaDriver();
    if (noDriver.isPresent()) {
      fail("the cuda build found NO NVIDIA DRIVER on this machine (" + noDriver.get()
          + "): it needs a GPU and its driver; `bin/gpu-smoke --cpu` checks the default build");
    }
    try {
      Dl4jRuntime.init();
    } catch (Throwable t) {
      fail("no ND4J backend could start: " + rootCause(t));
    }
    Properties env = Nd4j.getExecutioner().getEnvironmentInformation();
    System.out.println("ND4J backend: " + Dl4jRuntime.backend());
    env.forEach((k, v) -> {
      String key = k.toString();
      if (key.startsWith("cuda") || key.contains("blas") || key.contains("cores")) {
        System.out.println("  " + key + " = " + v);
      }
    });
    try {
      System.out.printf("matmul 64x64: correct (max error %.2e)%n", matmulError(64));
      TrainingRun run = train(20);
      System.out.printf("RotNet training, batch 256 (64 images x 4 rotations): %.0f samples/s, "
          + "loss %.3f, %d layers on helpers%n", run.samplesPerSecond(), run.loss(),
          run.layersOnHelpers());
      System.out.println("RESULT: the " + Dl4jRuntime.backend() + " backend runs matmul and "
          + "conv training correctly on this machine.");
    } catch (Throwable t) {
      String message = String.valueOf(t.getMessage());
      boolean noKernels = message.contains("no kernel image")
          || message.contains("cudaErrorNoKernelImageForDevice") || message.contains("209");
      fail(noKernels
          ? "ND4J's " + Dl4jRuntime.backend() + " build has NO KERNELS for this GPU "
              + "(compiled for older compute capabilities): " + message
          : "the backend FAILED: " + t);
    }
  }

  private static void fail(String result) {
    System.out.println("RESULT: " + result);
    System.exit(2);
  }

  /**
   * In the cuda build, why CUDA's runtime cannot load (no driver: {@code libcuda.so.1}
   * missing); empty in other builds or where it loads. Asked before ND4J starts, which would
   * only log this and then report that no backend is on the classpath.
   */
  static Optional<String> missingCudaDriver() {
    return DriverProbe.RESULT;
  }

  /** Probed once: a second load of a class that failed to initialise tells less. */
  private static final class DriverProbe {
    static final Optional<String> RESULT = probe();

    private static Optional<String> probe() {
      if (!cudaBuild()) {
        return Optional.empty();
      }
      try {
        Class.forName(CUDA_RUNTIME);
        return Optional.empty();
      } catch (Throwable t) {
        return Optional.of(rootCause(t));
      }
    }
  }

  /** Whether this is the {@code -Pcuda} build (ND4J's CUDA backend on the classpath). */
  static boolean cudaBuild() {
    try {
      Class.forName(CUDA_BACKEND, false, GpuSmoke.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  private static String rootCause(Throwable t) {
    Throwable cause = t;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return cause.getClass().getSimpleName() + ": " + cause.getMessage();
  }

  /** The largest difference between ND4J's product of two random n x n matrices and Java's. */
  static double matmulError(int n) {
    try (INDArray a = Nd4j.rand(n, n); INDArray b = Nd4j.rand(n, n); INDArray c = a.mmul(b)) {
      float[][] x = a.toFloatMatrix();
      float[][] y = b.toFloatMatrix();
      float[][] product = c.toFloatMatrix();
      double worst = 0;
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          double sum = 0;
          for (int k = 0; k < n; k++) {
            sum += x[i][k] * y[k][j];
          }
          worst = Math.max(worst, Math.abs(sum - product[i][j]));
        }
      }
      if (worst > 1e-3) {
        throw new IllegalStateException("matmul is wrong: max error " + worst);
      }
      return worst;
    }
  }

  /**
   * {@code steps} timed training steps (after 3 untimed ones) of the rotation network the
   * trainer pretrains, on one batch shaped as its batches are: 256 rows (random pixels here,
   * labels cycling through the 4 rotation classes).
   */
  static TrainingRun train(int steps) {
    MultiLayerNetwork net =
        Networks.rotationNet(NetworkSpec.forInput(InputShape.FASHION_MNIST, 4), 1e-3, 1);
    try (INDArray features = Nd4j.rand(256, 1, 28, 28); INDArray labels = Nd4j.zeros(256, 4)) {
      for (int i = 0; i < 256; i++) {
        labels.putScalar(i, i % 4, 1);
      }
      DataSet batch = new DataSet(features, labels);
      for (int i = 0; i < 3; i++) {
        net.fit(batch);
      }
      long t0 = System.nanoTime();
      for (int i = 0; i < steps; i++) {
        net.fit(batch);
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      return new TrainingRun(steps * 256 / seconds, net.score(), Dl4jRuntime.activeHelpers(net));
    } finally {
      net.close();
    }
  }
}
