package org.nd4j.nativeblas;

/**
 * Compatibility shim for DL4J 1.0.0-M2.1, kept here and nowhere else (see
 * {@code dev.spindle.model.runtime.Dl4jRuntime}).
 *
 * <p>M2.1's oneDNN layer helpers ({@code BaseMKLDNNHelper.mklDnnEnabled()}) ask, by
 * reflection, {@code org.nd4j.nativeblas.Nd4jCpu$Environment.getInstance().isUseMKLDNN()}.
 * M2.1 moved that class to {@code org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu}, so the
 * lookup fails and every helper silently declines: conv training runs ~7x slower and needs
 * ~4x the memory. This class answers the old lookup from the new one.
 */
public final class Nd4jCpu {
  private Nd4jCpu() {}

  /** The environment as the helpers look it up. */
  public static final class Environment {
    private static final Environment INSTANCE = new Environment();

    private Environment() {}

    public static Environment getInstance() {
      return INSTANCE;
    }

    /**
     * Whether the native CPU library was built with oneDNN and has it switched on. Looked up
     * by name so that this compiles with every ND4J backend (the CUDA build has no CPU
     * bindings, and then the answer is false).
     */
    public boolean isUseMKLDNN() {
      try {
        Class<?> env = Class.forName(
            "org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment");
        Object instance = env.getMethod("getInstance").invoke(null);
        return (Boolean) env.getMethod("isUseONEDNN").invoke(instance);
      } catch (ReflectiveOperationException | LinkageError e) {
        return false;
      }
    }
  }
}
