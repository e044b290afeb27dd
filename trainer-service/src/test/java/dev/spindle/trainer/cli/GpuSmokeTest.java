package dev.spindle.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.spindle.model.runtime.Dl4jRuntime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The smoke check's parts on whichever backend the build has: the CPU in the default build;
 * in the {@code -Pcuda} build on a machine with an NVIDIA GPU and driver, the GPU (the GPU
 * test skips, with its reason, anywhere else).
 */
class GpuSmokeTest {
  private static boolean cudaBuild;
  /** Whether ND4J can start: any build but the cuda build on a machine without a driver. */
  private static boolean backendUsable;

  @BeforeAll
  static void start() {
    cudaBuild = GpuSmoke.cudaBuild();
    backendUsable = GpuSmoke.missingCudaDriver().isEmpty();
    if (backendUsable) {
      Dl4jRuntime.init();
    }
  }

  @Test
  void shouldMultiplyMatricesCorrectlyOnTheActiveBackend() {
    assumeTrue(backendUsable, "cuda build, no driver");
    assertThat(GpuSmoke.matmulError(64)).isLessThan(1e-3);
  }

  @Test
  void shouldTrainTheRotationNetworkOnHelpersOnTheActiveBackend() {
    assumeTrue(backendUsable, "cuda build, no driver");
    GpuSmoke.TrainingRun run = GpuSmoke.train(2);
    assertThat(run.loss()).isFinite();
    assertThat(run.samplesPerSecond()).isPositive();
    assertThat(run.layersOnHelpers()).as("oneDNN on the CPU, cuDNN on CUDA").isPositive();
  }

  @Test
  void shouldNotLookForAnNvidiaDriverInTheDefaultBuild() {
    assumeFalse(cudaBuild, "the cuda build looks for one");
    assertThat(GpuSmoke.missingCudaDriver()).isEmpty();
  }

  @Test
  void shouldRunOnTheGpuInTheCudaBuild() {
    assumeTrue(cudaBuild, "needs the -Pcuda build (bin/gpu-smoke)");
    assumeTrue(backendUsable,
        () -> "needs an NVIDIA driver: " + GpuSmoke.missingCudaDriver().orElse(""));
    assertThat(Dl4jRuntime.backend()).isEqualToIgnoringCase("CUDA");
    assertThat(Dl4jRuntime.onCpu()).isFalse();
  }
}
