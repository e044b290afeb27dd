package dev.spindle.model.onednn;

import static dev.spindle.model.onednn.OneDnn.check;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_set_data_handle;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_default_flags;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_wait;

import dev.spindle.model.onednn.Natives.Memory;
import java.lang.ref.Cleaner;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.javacpp.FloatPointer;

/**
 * What a layer's training operation on oneDNN shares: a stream, and its primitives per input
 * shape ({@link ShapePlan}s, made on first use, the last {@value #SHAPES_KEPT} kept). The
 * caller's arrays are bound to a plan's memories for each call, so nothing is copied but
 * where oneDNN wants another layout. Not thread-safe.
 */
abstract class TrainingOp<P extends ShapePlan> implements AutoCloseable {
  static final int SHAPES_KEPT = 3;

  final dnnl_engine engine = OneDnn.engine();
  private final Natives natives = new Natives();
  private final Cleaner.Cleanable cleanable;
  private final dnnl_stream stream;
  private final Map<List<Long>, P> shapes = new LinkedHashMap<>(4, 0.75f, true);

  TrainingOp() {
    this.cleanable = OneDnn.CLEANER.register(this, natives);
    stream = new dnnl_stream();
    check(dnnl_stream_create(stream, engine, dnnl_stream_default_flags), "stream_create");
    natives.keep(stream);
  }

  /** The plan for input shape {@code key}, made by {@code make} if it is not kept. */
  final P plan(List<Long> key, Supplier<P> make) {
    P p = shapes.get(key);
    if (p == null) {
      if (shapes.size() >= SHAPES_KEPT) {
        var eldest = shapes.entrySet().iterator().next();
        eldest.getValue().close();
        shapes.remove(eldest.getKey());
      }
      p = make.get();
      shapes.put(key, p);
    }
    return p;
  }

  /** Runs {@code steps} of {@code plan} in order and waits for them. */
  final void run(P plan, List<Step> steps) {
    plan.bindScratch(Arena.ofThisThread());
    for (Step step : steps) {
      step.execute(stream);
    }
    check(dnnl_stream_wait(stream), "stream_wait");
  }

  /** Points {@code memory} at {@code values}, which must hold at least as many floats. */
  static void bind(Memory memory, FloatBuffer values) {
    long floats = memory.floats();
    if (values.remaining() < floats) {
      throw new IllegalArgumentException(
          "array of " + values.remaining() + " values where " + floats + " are needed");
    }
    check(dnnl_memory_set_data_handle(memory.memory(), new FloatPointer(values.slice())),
        "memory_set_data_handle");
  }

  @Override
  public void close() {
    shapes.values().forEach(ShapePlan::close);
    shapes.clear();
    cleanable.clean();
  }
}
