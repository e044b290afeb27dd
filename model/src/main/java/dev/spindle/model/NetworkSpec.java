package dev.spindle.model;

import java.util.Arrays;

/**
 * The RotNet-style CNN, sized by the input shape. A block is conv3x3 (same padding, bias) +
 * BatchNorm + ReLU; 2x2 max pooling follows some blocks. The backbone of a classifier is
 * blocks 1..{@code cutBlock}; above it sits the head: flatten, dense {@code headHidden} +
 * ReLU, softmax output.
 *
 * @param input the model input
 * @param blockWidths output channels of each conv block
 * @param poolAfter for each block, whether 2x2 max pooling follows it
 * @param headHidden units of the hidden dense layer of every head
 * @param cutBlock the block (1-based) whose output feeds a classifier's head
 */
public record NetworkSpec(
    InputShape input, int[] blockWidths, boolean[] poolAfter, int headHidden, int cutBlock) {

  public NetworkSpec {
    if (blockWidths.length == 0 || blockWidths.length != poolAfter.length) {
      throw new IllegalArgumentException("one pooling flag per block is needed");
    }
    if (cutBlock < 1 || cutBlock > blockWidths.length) {
      throw new IllegalArgumentException(
          "cut block must be between 1 and " + blockWidths.length + ", was " + cutBlock);
    }
    blockWidths = blockWidths.clone();
    poolAfter = poolAfter.clone();
  }

  /**
   * The default network for {@code input}: four blocks of 32, 32, 64, 64 channels, pooled
   * until the feature map is about 7x7 (after blocks 2 and 4 for 28x28; after more blocks for
   * larger inputs), a 128-unit head, cut after {@code cutBlock}.
   */
  public static NetworkSpec forInput(InputShape input, int cutBlock) {
    int side = Math.min(input.height(), input.width());
    int pools = (int) Math.ceil(Math.log(side / 7.0) / Math.log(2));
    pools = Math.max(1, Math.min(4, pools));
    boolean[] poolAfter = new boolean[4];
    int[] order = {1, 3, 2, 0}; // pool after block 2, then 4, then 3, then 1
    for (int i = 0; i < pools; i++) {
      poolAfter[order[i]] = true;
    }
    return new NetworkSpec(input, new int[] {32, 32, 64, 64}, poolAfter, 128, cutBlock);
  }

  public int blocks() {
    return blockWidths.length;
  }

  public int blockWidth(int block) {
    return blockWidths[block - 1];
  }

  public boolean poolsAfter(int block) {
    return poolAfter[block - 1];
  }

  /** The same network cut after another block. */
  public NetworkSpec withCut(int block) {
    return new NetworkSpec(input, blockWidths, poolAfter, headHidden, block);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NetworkSpec other
        && input.equals(other.input)
        && Arrays.equals(blockWidths, other.blockWidths)
        && Arrays.equals(poolAfter, other.poolAfter)
        && headHidden == other.headHidden
        && cutBlock == other.cutBlock;
  }

  @Override
  public int hashCode() {
    return 31 * (31 * input.hashCode() + Arrays.hashCode(blockWidths)) + cutBlock;
  }

  @Override
  public String toString() {
    return "NetworkSpec[input=" + input + ", blocks=" + Arrays.toString(blockWidths)
        + ", poolAfter=" + Arrays.toString(poolAfter) + ", head=" + headHidden
        + ", cut=" + cutBlock + "]";
  }
}
