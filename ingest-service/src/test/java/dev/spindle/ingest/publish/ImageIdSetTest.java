package dev.spindle.ingest.publish;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.schemas.ImageIds;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class ImageIdSetTest {
  private static String id(int n) {
    return ImageIds.of(("image " + n).getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void shouldContainTheIdsAddedAndNoOthers() {
    ImageIdSet set = new ImageIdSet();
    for (int i = 0; i < 10_000; i++) {
      assertThat(set.add(id(i))).isTrue();
    }
    for (int i = 0; i < 10_000; i++) {
      assertThat(set.contains(id(i))).isTrue();
      assertThat(set.contains(id(i + 10_000))).isFalse();
    }
    assertThat(set.add(id(5))).isFalse();
    assertThat(set.size()).isEqualTo(10_000);
  }

  @Test
  void shouldTellApartIdsThatDifferInTheirFirst128Bits() {
    ImageIdSet set = new ImageIdSet();
    String id = "0123456789abcdef0123456789abcdef" + "f".repeat(32);
    set.add(id);
    assertThat(set.contains("0123456789abcdef0123456789abcdee" + "f".repeat(32))).isFalse();
    assertThat(set.contains("1123456789abcdef0123456789abcdef" + "f".repeat(32))).isFalse();
    assertThat(set.contains(id)).isTrue();
  }

  @Test
  void shouldKeepKeysThatAreNotImageIdsWhole() {
    ImageIdSet set = new ImageIdSet();
    String lower = id(1);
    set.add(lower.toUpperCase());
    set.add("not-an-id");
    assertThat(set.contains(lower)).isFalse();
    assertThat(set.contains(lower.toUpperCase())).isTrue();
    assertThat(set.contains("not-an-id")).isTrue();
    assertThat(set.contains(lower.substring(1))).isFalse();
    String notHexAtTheEnd = lower.substring(0, 63) + "g";  // same first 128 bits as lower
    set.add(notHexAtTheEnd);
    assertThat(set.contains(lower)).isFalse();
    assertThat(set.contains(notHexAtTheEnd)).isTrue();
    assertThat(set.size()).isEqualTo(3);
  }

  @Test
  void shouldHoldTheIdWhoseFirst128BitsAreZero() {
    ImageIdSet set = new ImageIdSet();
    String zero = "0".repeat(64);
    assertThat(set.contains(zero)).isFalse();
    assertThat(set.add(zero)).isTrue();
    assertThat(set.add(zero)).isFalse();
    assertThat(set.contains(zero)).isTrue();
    assertThat(set.contains("0".repeat(63) + "1")).isTrue();  // same first 128 bits: one image
    assertThat(set.size()).isEqualTo(1);
  }

  @Test
  void shouldReadAKeyFromKafkaBytesAsTheSameIdAsItsString() {
    ImageIdSet set = new ImageIdSet();
    String id = id(7);
    ByteBuffer bytes = ByteBuffer.allocate(70);
    bytes.position(3);
    bytes.put(id.getBytes(StandardCharsets.US_ASCII)).flip().position(3);
    set.add(ImageIdSet.Key.of(bytes));
    set.add(ImageIdSet.Key.of(ByteBuffer.wrap("other key".getBytes(StandardCharsets.UTF_8))));
    assertThat(set.contains(id)).isTrue();
    assertThat(set.contains("other key")).isTrue();
    assertThat(set.size()).isEqualTo(2);
  }

  @Test
  void shouldKeepEveryIdAddedFromSeveralThreadsAtOnce() throws Exception {
    ImageIdSet set = new ImageIdSet();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> adders = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int first = t * 50_000;
        adders.add(pool.submit(() -> {
          for (int i = first; i < first + 50_000; i++) {
            set.add(id(i));
          }
        }));
      }
      for (Future<?> adder : adders) {
        adder.get();
      }
    } finally {
      pool.shutdown();
    }
    assertThat(set.size()).isEqualTo(200_000);
    for (int i = 0; i < 200_000; i += 997) {
      assertThat(set.contains(id(i))).isTrue();
    }
  }
}
