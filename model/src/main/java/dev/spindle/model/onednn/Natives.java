package dev.spindle.model.onednn;

import static dev.spindle.model.onednn.OneDnn.check;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_FROM;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_TO;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_get_size;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_reorder_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_post_ops_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_destroy;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_post_ops;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * The native objects of one plan (oneDNN handles and the buffers behind its memories), freed
 * together: by {@link Plan#close()}, or by the cleaner once the plan is unreachable (a swapped-out
 * model). Not thread-safe; a plan registers everything while it is built, on one thread.
 */
final class Natives implements Runnable {
  private static final int ALIGNMENT = 64;

  private final List<Pointer> handles = new ArrayList<>();
  private final List<FloatPointer> buffers = new ArrayList<>();
  private boolean freed;

  <T extends Pointer> T keep(T handle) {
    handles.add(handle);
    return handle;
  }

  /** A memory of {@code md} over a new buffer, 64-byte aligned, zeroed. */
  Memory memory(dnnl_engine engine, dnnl_memory_desc_t md) {
    long floats = (dnnl_memory_desc_get_size(md) + Float.BYTES - 1) / Float.BYTES;
    FloatPointer raw = new FloatPointer(floats + ALIGNMENT / Float.BYTES);
    buffers.add(raw);
    raw.fill(0);
    long misaligned = raw.address() % ALIGNMENT;
    // a pointer of its own at the aligned address: a plain Pointer argument (oneDNN's void*
    // handle) would count a position in bytes, not floats
    FloatPointer data = raw.getPointer(misaligned == 0 ? 0 : (ALIGNMENT - misaligned) / Float.BYTES)
        .limit(floats);
    dnnl_memory memory = new dnnl_memory();
    check(dnnl_memory_create(memory, md, engine, data), "memory_create");
    keep(memory);
    return new Memory(memory, md, data.asBuffer());
  }

  /**
   * A memory of {@code md} without a buffer of its own: its data handle is set before each use
   * (to an array of the caller's); {@link Memory#data()} is null.
   */
  Memory unbound(dnnl_engine engine, dnnl_memory_desc_t md) {
    dnnl_memory memory = new dnnl_memory();
    check(dnnl_memory_create(memory, md, engine, (Pointer) null), "memory_create");
    keep(memory);
    return new Memory(memory, md, null);
  }

  /** A primitive of {@code pd}, kept. */
  dnnl_primitive primitive(dnnl_primitive_desc pd) {
    dnnl_primitive p = new dnnl_primitive();
    check(dnnl_primitive_create(p, pd), "primitive_create");
    return keep(p);
  }

  /** A step that reorders {@code from} into {@code to}. */
  Step reorder(dnnl_engine engine, Memory from, Memory to) {
    dnnl_primitive_desc pd = new dnnl_primitive_desc();
    check(dnnl_reorder_primitive_desc_create(pd, from.md(), engine, to.md(), engine, null),
        "reorder_primitive_desc_create");
    keep(pd);
    return new Step(primitive(pd), new int[] {DNNL_ARG_FROM, DNNL_ARG_TO}, from, to);
  }

  @Override
  public void run() {
    if (freed) {
      return;
    }
    freed = true;
    for (int i = handles.size() - 1; i >= 0; i--) {
      Pointer h = handles.get(i);
      if (h instanceof dnnl_primitive p) {
        dnnl_primitive_destroy(p);
      } else if (h instanceof dnnl_memory m) {
        dnnl_memory_destroy(m);
      } else if (h instanceof dnnl_primitive_desc pd) {
        dnnl_primitive_desc_destroy(pd);
      } else if (h instanceof dnnl_primitive_attr a) {
        dnnl_primitive_attr_destroy(a);
      } else if (h instanceof dnnl_post_ops po) {
        dnnl_post_ops_destroy(po);
      } else if (h instanceof dnnl_stream s) {
        dnnl_stream_destroy(s);
      }
    }
    handles.clear();
    buffers.forEach(Pointer::close);
    buffers.clear();
  }

  /** A oneDNN memory, its descriptor and its buffer (as floats, from the aligned start). */
  record Memory(dnnl_memory memory, dnnl_memory_desc_t md, java.nio.FloatBuffer data) {
    /** How many floats the memory holds in its layout. */
    long floats() {
      return dnnl_memory_desc_get_size(md) / Float.BYTES;
    }
  }
}
