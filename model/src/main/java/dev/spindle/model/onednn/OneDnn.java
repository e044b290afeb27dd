package dev.spindle.model.onednn;

import static org.bytedeco.dnnl.global.dnnl.dnnl_success;

import dev.spindle.model.runtime.Dl4jRuntime;
import java.lang.ref.Cleaner;
import java.util.Optional;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.javacpp.Loader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * oneDNN's own API (the JavaCPP preset, oneDNN 2.5), for whole-network inference plans
 * ({@link OneDnnNetwork}) and the training layers' primitives ({@link ConvolutionTraining},
 * {@link BatchNormTraining}, {@link HeadTraining}). It shares ND4J's OpenMP runtime, so {@link
 * Dl4jRuntime#onThreads} and the thread cap reach it too. Used only on ND4J's CPU backend, and
 * not when the system property {@value #DISABLE} or the environment variable {@code
 * SPINDLE_ONEDNN_DISABLE} is {@code true} (then inference and training run on DL4J's layers and
 * the Java loops, as before).
 */
public final class OneDnn {
  /** Turns oneDNN's direct use off (inference plans and training primitives). */
  public static final String DISABLE = "spindle.onednn.disable";

  private static final Logger log = LoggerFactory.getLogger(OneDnn.class);
  static final Cleaner CLEANER = Cleaner.create();

  private OneDnn() {}

  /** Why oneDNN is not called directly here, or empty when it is. */
  public static Optional<String> unavailable() {
    return Holder.UNAVAILABLE;
  }

  /** Whether the user turned the plans off ({@value #DISABLE} or SPINDLE_ONEDNN_DISABLE). */
  public static boolean turnedOff() {
    return Boolean.getBoolean(DISABLE)
        || "true".equalsIgnoreCase(System.getenv("SPINDLE_ONEDNN_DISABLE"));
  }

  public static boolean available() {
    return unavailable().isEmpty();
  }

  /** The CPU engine every plan runs on (created once, never destroyed). */
  static dnnl_engine engine() {
    return Engine.CPU;
  }

  /** Throws {@link OneDnnException} naming {@code what} unless {@code status} is success. */
  static void check(int status, String what) {
    if (status != dnnl_success) {
      throw new OneDnnException("oneDNN " + what + " failed with status " + status);
    }
  }

  private static final class Engine {
    static final dnnl_engine CPU = create();

    private static dnnl_engine create() {
      dnnl_engine engine = new dnnl_engine();
      check(dnnl.dnnl_engine_create(engine, dnnl.dnnl_cpu, 0), "engine_create");
      return engine;
    }
  }

  private static final class Holder {
    static final Optional<String> UNAVAILABLE = probe();

    private static Optional<String> probe() {
      if (turnedOff()) {
        return Optional.of("turned off (" + DISABLE + ")");
      }
      if (!Dl4jRuntime.onCpu()) {
        return Optional.of("ND4J runs on " + Dl4jRuntime.backend());
      }
      try {
        Loader.load(dnnl.class);
        log.info("oneDNN {}.{} called directly: inference plans, training primitives",
            dnnl.DNNL_VERSION_MAJOR, dnnl.DNNL_VERSION_MINOR);
        return Optional.empty();
      } catch (LinkageError | RuntimeException e) { // no such library or class here
        log.warn("oneDNN unavailable, DL4J's layers infer and train instead: {}", e.toString());
        return Optional.of(e.toString());
      }
    }
  }
}
