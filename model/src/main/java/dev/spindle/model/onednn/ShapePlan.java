package dev.spindle.model.onednn;

import static dev.spindle.model.onednn.OneDnn.check;
import static dev.spindle.model.onednn.Plan.desc;
import static org.bytedeco.dnnl.global.dnnl.dnnl_format_tag_any;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_equal;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_query_md;

import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_set_data_handle;

import dev.spindle.model.onednn.Natives.Memory;
import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.dnnl.const_dnnl_op_desc_t;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * The primitives, reorders and buffers of one training operation for one input shape, freed
 * together ({@link #close}, or the cleaner once unreachable). The caller's arrays are
 * "unbound" memories in plain layouts; where a primitive wants another layout, a buffer of
 * that layout and a reorder step stand between. Buffers needed only while one call runs are
 * {@link #scratch}: they lie in the thread's {@link Arena}, shared by every layer, so a plan
 * owns only what must outlive a call (e.g. the forward pass's input for the backward pass).
 */
abstract class ShapePlan implements AutoCloseable {
  final Natives own = new Natives();
  final dnnl_engine engine;
  private final Cleaner.Cleanable cleanable;
  private final List<Memory> scratch = new ArrayList<>();
  private final List<Long> scratchOffsets = new ArrayList<>();
  private long scratchFloats;

  ShapePlan(dnnl_engine engine) {
    this.engine = engine;
    this.cleanable = OneDnn.CLEANER.register(this, own);
  }

  @Override
  public void close() {
    cleanable.clean();
  }

  /** A memory for the caller's arrays of {@code dims} in plain layout {@code tag}. */
  Memory user(long[] dims, int tag) {
    return own.unbound(engine, desc(dims, tag));
  }

  /** A buffer of {@code md} in the thread's arena, valid while one call runs. */
  Memory scratch(dnnl_memory_desc_t md) {
    Memory memory = own.unbound(engine, md);
    scratch.add(memory);
    scratchOffsets.add(scratchFloats);
    scratchFloats += (memory.floats() + 15) / 16 * 16; // 64-byte aligned
    return memory;
  }

  /** Points the {@link #scratch} buffers into {@code arena}; before every call. */
  void bindScratch(Arena arena) {
    if (scratch.isEmpty()) {
      return;
    }
    FloatPointer base = arena.atLeast(scratchFloats);
    for (int i = 0; i < scratch.size(); i++) {
      check(dnnl_memory_set_data_handle(scratch.get(i).memory(),
          base.getPointer(scratchOffsets.get(i))), "memory_set_data_handle");
    }
  }

  /**
   * {@code user}, or a scratch buffer in the layout {@code pd} wants with a reorder into it.
   */
  Memory into(Memory user, dnnl_primitive_desc pd, int what, List<Step> steps) {
    return into(user, pd, what, steps, false);
  }

  /** {@link #into}, the buffer kept across calls when {@code kept}. */
  Memory into(Memory user, dnnl_primitive_desc pd, int what, List<Step> steps, boolean kept) {
    dnnl_memory_desc_t want = dnnl_primitive_desc_query_md(pd, what, 0);
    if (dnnl_memory_desc_equal(user.md(), want) == 1) {
      return user;
    }
    Memory to = kept ? own.memory(engine, want) : scratch(want);
    steps.add(own.reorder(engine, user, to));
    return to;
  }

  /** {@code user}, or a scratch buffer in the layout {@code pd} writes ({@link #backFrom}). */
  Memory outOf(Memory user, dnnl_primitive_desc pd, int what) {
    dnnl_memory_desc_t made = dnnl_primitive_desc_query_md(pd, what, 0);
    return dnnl_memory_desc_equal(user.md(), made) == 1 ? user : scratch(made);
  }

  /** The reorder from what a primitive wrote into the caller's array, where they differ. */
  void backFrom(Memory written, Memory user, List<Step> steps) {
    if (written != user) {
      steps.add(own.reorder(engine, written, user));
    }
  }

  /** Whether {@code memory} has the layout {@code pd} wants for {@code what}. */
  static boolean same(Memory memory, dnnl_primitive_desc pd, int what) {
    return dnnl_memory_desc_equal(memory.md(), dnnl_primitive_desc_query_md(pd, what, 0)) == 1;
  }

  /** The primitive descriptor of operation {@code op}, after the forward one {@code hint}. */
  dnnl_primitive_desc primitiveDesc(Pointer op, dnnl_primitive_desc hint) {
    dnnl_primitive_desc pd = new dnnl_primitive_desc();
    check(dnnl_primitive_desc_create(pd, new const_dnnl_op_desc_t(op), null, engine, hint),
        "primitive_desc_create");
    return own.keep(pd);
  }

  /** A descriptor of {@code dims} in whatever layout the primitive prefers. */
  static dnnl_memory_desc_t any(long[] dims) {
    return desc(dims, dnnl_format_tag_any);
  }

  /** A primitive of {@code pd} with its arguments. */
  Step step(dnnl_primitive_desc pd, int[] kinds, Memory... memories) {
    return new Step(own.primitive(pd), kinds, memories);
  }
}
