package dev.spindle.model.onednn;

import static dev.spindle.model.onednn.OneDnn.check;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_execute;

import dev.spindle.model.onednn.Natives.Memory;
import org.bytedeco.dnnl.dnnl_exec_arg_t;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_stream;

/** One primitive with its arguments, bound once. */
final class Step {
  private final dnnl_primitive primitive;
  private final dnnl_exec_arg_t args;
  private final int count;

  Step(dnnl_primitive primitive, int[] kinds, Memory... memories) {
    this.primitive = primitive;
    this.count = kinds.length;
    this.args = new dnnl_exec_arg_t(count);
    for (int i = 0; i < count; i++) {
      args.position(i).arg(kinds[i]).memory(memories[i].memory());
    }
    args.position(0);
  }

  void execute(dnnl_stream stream) {
    check(dnnl_primitive_execute(primitive, stream, count, args), "primitive_execute");
  }
}
