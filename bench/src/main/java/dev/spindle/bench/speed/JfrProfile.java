package dev.spindle.bench.speed;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a step's time goes, measured on the real code path: Java Flight Recorder samples the
 * calling thread every 10 ms while the step runs; a sample in native code is an ND4J/oneDNN op,
 * one in Java is DL4J's own work. Each sample is attributed to a phase (batch assembly, forward,
 * backward, Adam update, the oneDNN inference plan or head step) and to the layer (DL4J's or
 * this project's) on its stack. GC pauses come from JFR's GC events.
 * With {@code -Dspindle.profile.frames=true} each row also names the innermost frames (which
 * ND4J op, called from where): how the BatchNorm statistics and the convolution's recomputed
 * forward pass were found.
 */
final class JfrProfile {
  private static final String LAYERS = "org.deeplearning4j.nn.layers.";
  private static final String OWN_LAYERS = "dev.spindle.model.layers.";
  private static final String ONE_DNN = "dev.spindle.model.onednn.";

  private JfrProfile() {}

  static String markdown(String title, Runnable step, int warmup, int steps) throws IOException {
    for (int i = 0; i < warmup; i++) {
      step.run();
    }
    Path file = Files.createTempFile("spindle-profile", ".jfr");
    long elapsedNanos;
    try (Recording recording = new Recording()) {
      recording.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(10));
      recording.enable("jdk.NativeMethodSample").withPeriod(Duration.ofMillis(10));
      recording.enable("jdk.GarbageCollection");
      recording.start();
      long start = System.nanoTime();
      for (int i = 0; i < steps; i++) {
        step.run();
      }
      elapsedNanos = System.nanoTime() - start;
      recording.stop();
      recording.dump(file);
    }
    List<RecordedEvent> events = RecordingFile.readAllEvents(file);
    Files.delete(file);
    return table(title, events, elapsedNanos, steps);
  }

  private static String table(String title, List<RecordedEvent> events, long elapsedNanos, int steps) {
    long self = Thread.currentThread().getId();
    Map<String, long[]> byPart = new TreeMap<>();
    long samples = 0;
    double gcMs = 0;
    for (RecordedEvent event : events) {
      String type = event.getEventType().getName();
      if (type.equals("jdk.GarbageCollection")) {
        gcMs += event.getDuration().toNanos() / 1e6;
        continue;
      }
      if (event.getThread("sampledThread") == null
          || event.getThread("sampledThread").getJavaThreadId() != self) {
        continue;
      }
      boolean inNative = type.equals("jdk.NativeMethodSample");
      long[] counts = byPart.computeIfAbsent(part(event.getStackTrace()), k -> new long[2]);
      counts[inNative ? 0 : 1]++;
      samples++;
    }
    double stepMs = elapsedNanos / 1e6 / steps;
    StringBuilder md = new StringBuilder(String.format(Locale.ROOT,
        "### %s%n%n%.1f ms per step over %d steps; %d samples of the calling thread; GC pauses "
            + "%.2f ms per step (%.1f%%).%n%n| phase / layer | share of samples | in native ops "
            + "(ND4J, oneDNN) | in Java (DL4J) | ~ms per step |%n|---|---|---|---|---|%n",
        title, stepMs, steps, samples, gcMs / steps, 100 * gcMs / (elapsedNanos / 1e6)));
    long total = Math.max(1, samples);
    byPart.entrySet().stream()
        .sorted((a, b) -> Long.compare(b.getValue()[0] + b.getValue()[1], a.getValue()[0] + a.getValue()[1]))
        .forEach(e -> {
          long n = e.getValue()[0] + e.getValue()[1];
          md.append(String.format(Locale.ROOT, "| %s | %.1f%% | %.1f%% | %.1f%% | %.1f |%n", e.getKey(),
              100.0 * n / total, 100.0 * e.getValue()[0] / total, 100.0 * e.getValue()[1] / total,
              stepMs * n / total));
        });
    return md.append('\n').toString();
  }

  /** "phase / layer" for one sampled stack (innermost frame first). */
  static String part(RecordedStackTrace stack) {
    if (stack == null) {
      return "unknown (no stack)";
    }
    String phase = null;
    String layer = null;
    for (RecordedFrame frame : stack.getFrames()) {
      String type = frame.getMethod().getType().getName();
      String method = frame.getMethod().getName();
      boolean ownLayer = type.startsWith(OWN_LAYERS) && type.endsWith("Layer");
      if (layer == null && (ownLayer || type.startsWith(LAYERS) && !type.contains(".mkldnn."))) {
        layer = type.substring(type.lastIndexOf('.') + 1);
      }
      if (phase == null) {
        phase = phase(type, method);
      }
    }
    if (phase == null) {
      phase = "other";
    }
    if (Boolean.getBoolean("spindle.profile.frames")) {
      StringBuilder top = new StringBuilder();
      for (RecordedFrame f : stack.getFrames().subList(0, Math.min(6, stack.getFrames().size()))) {
        String t = f.getMethod().getType().getName();
        top.append(t.substring(t.lastIndexOf('.') + 1)).append('.').append(f.getMethod().getName()).append(' ');
      }
      phase = phase + " @ " + top;
    }
    return layer == null || phase.startsWith("batch") || phase.startsWith("Adam")
        ? phase : phase + " / " + layer;
  }

  private static String phase(String type, String method) {
    if (type.contains("Updater") || type.contains("learning.config") || type.contains("GradientUpdater")) {
      return "Adam update";
    }
    if (method.equals("calcBackpropGradients") || method.equals("backpropGradient")) {
      return "backward";
    }
    if (method.startsWith("ffToLayerActivations") || method.equals("outputOfLayerDetached")
        || method.equals("activate") || method.equals("feedForward")) {
      return "forward";
    }
    if (type.startsWith(ONE_DNN)) {
      // a oneDNN primitive: the training ops' callers (layers) say which pass
      return type.endsWith(".HeadTraining") ? "head step (oneDNN inner products)"
          : type.endsWith(".OneDnnNetwork") || type.endsWith(".Plan") ? "forward (oneDNN plan)"
          : null;
    }
    if (type.startsWith(OWN_LAYERS)) {
      return null; // a layer's own loops: DL4J's frames above say which pass
    }
    if (type.startsWith("dev.spindle.")) {
      return "batch assembly / result copy (" + type.substring(type.lastIndexOf('.') + 1) + ")";
    }
    return null;
  }
}
