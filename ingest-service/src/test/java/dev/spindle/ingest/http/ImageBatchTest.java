package dev.spindle.ingest.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.ingest.validation.RejectedInputException;
import dev.spindle.ingest.validation.Rejection;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImageBatchTest {
  private static final BatchLimits LIMITS = new BatchLimits(3, 1024);

  @Test
  void shouldReadOneUploadPerLineWithItsOptionalFields() {
    String image = Base64.getEncoder().encodeToString(new byte[] {1, 2, 3});
    List<ImageBatch.Line> lines = ImageBatch.parse(body(
        "{\"image\":\"" + image + "\",\"label\":\"Bag\",\"source\":\"cam-1\",\"annotator\":\"ann\"}",
        "",
        "  {\"image\":\"" + image + "\",\"contentType\":\"image/png\"}  ",
        ""), LIMITS);

    assertThat(lines).hasSize(2);
    assertThat(lines.get(0).upload().bytes()).containsExactly(1, 2, 3);
    assertThat(lines.get(0).upload().label()).contains("Bag");
    assertThat(lines.get(0).upload().source()).contains("cam-1");
    assertThat(lines.get(0).upload().annotator()).contains("ann");
    assertThat(lines.get(0).upload().contentType()).isEmpty();
    assertThat(lines.get(1).index()).isEqualTo(1);
    assertThat(lines.get(1).upload().contentType()).contains("image/png");
    assertThat(lines.get(1).upload().label()).isEmpty();
  }

  @Test
  void shouldRefuseOnlyTheLinesThatAreNotImageObjects() {
    String image = Base64.getEncoder().encodeToString(new byte[] {9});
    List<ImageBatch.Line> lines = ImageBatch.parse(body(
        "{\"image\":\"" + image + "\"}",
        "not json",
        "{\"label\":\"Bag\"}",
        "{\"image\":\"***\"}"), new BatchLimits(10, 1024));

    assertThat(lines).extracting(ImageBatch.Line::index).containsExactly(0, 1, 2, 3);
    assertThat(lines.get(0).refused()).isNull();
    assertThat(lines.subList(1, 4)).allSatisfy(line -> {
      assertThat(line.upload()).isNull();
      assertThat(line.refused().reason()).isEqualTo(Rejection.BAD_REQUEST);
    });
    assertThat(lines.get(1).refused()).hasMessageContaining("image line 1 is not a JSON object");
    assertThat(lines.get(2).refused()).hasMessageContaining("needs \"image\"");
    assertThat(lines.get(3).refused()).hasMessageContaining("not valid base64");
  }

  @Test
  void shouldReadBase64BrokenIntoLinesAndSkipFieldsItDoesNotKnow() {
    // MIME-style base64 (a JSON-escaped line break after the first group), an unknown nested
    // field, a label that is not text, and the last of two "source" fields
    String image = Base64.getEncoder().encodeToString(new byte[] {1, 2, 3, 4, 5, 6});
    List<ImageBatch.Line> lines = ImageBatch.parse(body(
        "{\"meta\":{\"a\":[1,{\"b\":2}]},\"image\":\"" + image.substring(0, 4) + "\\n"
            + image.substring(4) + "\",\"label\":7,\"source\":\"a\",\"source\":\"b\"}"),
        LIMITS);

    assertThat(lines.get(0).refused()).isNull();
    assertThat(lines.get(0).upload().bytes()).containsExactly(1, 2, 3, 4, 5, 6);
    assertThat(lines.get(0).upload().label()).isEmpty();
    assertThat(lines.get(0).upload().source()).contains("b");
  }

  @Test
  void shouldNotTakeFieldsNestedInsideAnotherFieldsValue() {
    String image = Base64.getEncoder().encodeToString(new byte[] {7});
    String other = Base64.getEncoder().encodeToString(new byte[] {8});
    List<ImageBatch.Line> lines = ImageBatch.parse(body(
        "{\"label\":{\"image\":\"" + other + "\"},\"image\":\"" + image + "\",\"source\":\"s\"}",
        "{\"image\":{\"image\":\"" + other + "\"}}"), LIMITS);

    assertThat(lines.get(0).upload().bytes()).containsExactly(7);
    assertThat(lines.get(0).upload().label()).isEmpty();
    assertThat(lines.get(0).upload().source()).contains("s");
    assertThat(lines.get(1).refused()).hasMessageContaining("needs \"image\"");
  }

  @Test
  void shouldRefuseTheWholeBatchWhenItHoldsMoreImagesThanTheLimit() {
    String line = "{\"image\":\"AQ==\"}";

    assertThatThrownBy(() -> ImageBatch.parse(body(line, line, line, line), LIMITS))
        .isInstanceOfSatisfying(RejectedInputException.class,
            e -> assertThat(e.reason()).isEqualTo(Rejection.TOO_LARGE))
        .hasMessageContaining("more than 3 images");
  }

  @Test
  void shouldRefuseABatchWithoutAnyImageLine() {
    assertThatThrownBy(() -> ImageBatch.parse(body("", "   ", ""), LIMITS))
        .isInstanceOfSatisfying(RejectedInputException.class,
            e -> assertThat(e.reason()).isEqualTo(Rejection.EMPTY_BODY));
  }

  private static byte[] body(String... lines) {
    return String.join("\n", lines).getBytes(StandardCharsets.UTF_8);
  }
}
