package dev.spindle.model.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where Spindle sets up DL4J 1.0.0-M2.1 for speed. Two defects of M2.1 cost
 * about 7x on conv training and 4x in memory; both are fixed here:
 *
 * <ol>
 *   <li>Only the {@code nd4j-native} jars with classifier {@code linux-x86_64-onednn} carry
 *       oneDNN. That is a build choice (the parent pom's {@code nd4j.classifier}).
 *   <li>DL4J's layer helpers (oneDNN convolution, pooling, BatchNorm) are off unless the
 *       system property {@value #HELPERS_DISABLE} is {@code false}, and when on, they look up
 *       {@code org.nd4j.nativeblas.Nd4jCpu$Environment}, which M2.1 no longer ships, and
 *       silently decline. {@link #init()} sets the property (unless the user set it) and the
 *       shim {@link org.nd4j.nativeblas.Nd4jCpu} answers the lookup.
 * </ol>
 *
 * {@link #activeHelpers(MultiLayerNetwork)} tells whether it worked; a test fails if not.
 */
public final class Dl4jRuntime {
  /** DL4J's switch for the layer helpers ("true" = helpers off, M2.1's default). */
  public static final String HELPERS_DISABLE = "org.eclipse.deeplearning4j.helpers.disable";

  private static final Logger log = LoggerFactory.getLogger(Dl4jRuntime.class);
  private static volatile boolean initialised;
  private static volatile int threadCap;
  private static final ThreadLocal<Integer> CAP_APPLIED = ThreadLocal.withInitial(() -> 0);

  private Dl4jRuntime() {}

  /** Idempotent; call before building or loading a network (the model library does). */
  public static synchronized void init() {
    if (initialised) {
      return;
    }
    if (System.getProperty(HELPERS_DISABLE) == null) {
      System.setProperty(HELPERS_DISABLE, "false");
    }
    Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
    initialised = true;
    log.info("ND4J backend {} ({} threads, OMP_WAIT_POLICY {}), layer helpers {}", backend(),
        Nd4j.getEnvironment().maxMasterThreads(),
        Objects.requireNonNullElse(System.getenv("OMP_WAIT_POLICY"), "unset"),
        Boolean.getBoolean(HELPERS_DISABLE) ? "disabled by " + HELPERS_DISABLE : "enabled");
  }

  /**
   * Caps the threads one ND4J operation uses (OpenMP and oneDNN) from then on. OpenMP keeps
   * that number per calling thread, so {@link #applyThreadCap()} must run on each thread
   * that calls into ND4J (a server's request and stream threads); setting ND4J's Environment
   * alone does not reach oneDNN. For a server running many small inferences side by side, 1
   * avoids oversubscribing the cores. {@code OMP_NUM_THREADS} at JVM start does the same.
   */
  public static void threads(int n) {
    threadCap = n;
    Nd4j.getEnvironment().setMaxThreads(n);
    Nd4j.getEnvironment().setMaxMasterThreads(n);
    log.info("ND4J threads per operation: {}", n);
  }

  /** Applies the cap of {@link #threads(int)} to the calling thread (cheap after the first call). */
  public static void applyThreadCap() {
    int cap = threadCap;
    if (cap > 0 && CAP_APPLIED.get() != cap) {
      NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(cap);
      CAP_APPLIED.set(cap);
    }
  }

  /**
   * {@code work} with the calling thread's ND4J operations (OpenMP and oneDNN) on at most
   * {@code n} threads, the thread's setting restored afterwards; on other backends than the CPU
   * (where the call means something else) just {@code work}. For small work, where waking a
   * second OpenMP thread for every operation costs more than it saves: at batch 1 the served
   * network answers in ~1.3-1.5 ms on one thread against ~1.8-2.5 ms on two (2-core AMD EPYC,
   * {@code OMP_WAIT_POLICY=PASSIVE}), and one thread stays ahead up to batches of about 8.
   */
  public static <T> T onThreads(int n, Supplier<T> work) {
    if (!onCpu()) {
      return work.get();
    }
    NativeOps ops = NativeOpsHolder.getInstance().getDeviceNativeOps();
    int before = ops.ompGetMaxThreads();
    if (before <= n) {
      return work.get();
    }
    ops.setOmpNumThreads(n);
    try {
      return work.get();
    } finally {
      ops.setOmpNumThreads(before);
    }
  }

  /**
   * How many OpenMP threads the calling thread's ND4J operations may use (1 on other backends
   * than the CPU).
   */
  public static int threadsHere() {
    return onCpu() ? NativeOpsHolder.getInstance().getDeviceNativeOps().ompGetMaxThreads() : 1;
  }

  /** Whether ND4J runs on its CPU backend (arrays in host memory, OpenMP threads). */
  public static boolean onCpu() {
    return Backend.CPU;
  }

  /** The backend looked up once, on first use (the lookup builds a property table). */
  private static final class Backend {
    static final boolean CPU = "CPU".equalsIgnoreCase(backend());
  }

  /** The ND4J backend in use: "CPU" or "CUDA". */
  public static String backend() {
    return String.valueOf(
        Nd4j.getExecutioner().getEnvironmentInformation().getProperty("backend"));
  }

  /**
   * The conv and BatchNorm layers of {@code net} that run without a helper. Helpers are created
   * lazily, so call this after at least one forward pass. Empty means every helper is active.
   */
  public static List<String> layersWithoutHelper(MultiLayerNetwork net) {
    List<String> missing = new ArrayList<>();
    for (Layer layer : net.getLayers()) {
      boolean wantsHelper =
          layer instanceof ConvolutionLayer || layer instanceof BatchNormalization;
      if (wantsHelper && layer.getHelper() == null) {
        missing.add(layer.conf().getLayer().getLayerName());
      }
    }
    return missing;
  }

  /** How many layers of {@code net} run on a helper (oneDNN on CPU, cuDNN on CUDA). */
  public static int activeHelpers(MultiLayerNetwork net) {
    int active = 0;
    for (Layer layer : net.getLayers()) {
      if (layer.getHelper() != null) {
        active++;
      }
    }
    return active;
  }
}
