package dev.spindle.ingest.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spindle.ingest.publish.ImageUpload;
import dev.spindle.ingest.validation.RejectedInputException;
import dev.spindle.ingest.validation.Rejection;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The body of {@code POST /v1/images/batch}: newline-delimited JSON, one image per line,
 * {@code {"image": "<base64 PNG or JPEG>", "label"?, "source"?, "annotator"?, "contentType"?}}.
 * Blank lines are skipped. A line that is not such an object refuses that image only; a body
 * with no image line, or more than the limit, refuses the whole batch.
 */
final class ImageBatch {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The {@code index}-th image line: its upload, or why it was refused before validation. */
  record Line(int index, ImageUpload upload, RejectedInputException refused) {
  }

  private ImageBatch() {
  }

  static List<Line> parse(byte[] body, BatchLimits limits) {
    List<Line> lines = new ArrayList<>();
    int start = 0;
    while (start < body.length) {
      int end = start;
      while (end < body.length && body[end] != '\n') {
        end++;
      }
      if (!blank(body, start, end)) {
        if (lines.size() == limits.maxImages()) {
          throw new RejectedInputException(Rejection.TOO_LARGE, "the batch has more than "
              + limits.maxImages() + " images, the limit; split it into smaller batches");
        }
        lines.add(line(lines.size(), body, start, end - start));
      }
      start = end + 1;
    }
    if (lines.isEmpty()) {
      throw new RejectedInputException(Rejection.EMPTY_BODY, "the batch holds no image: send one"
          + " JSON object per line, {\"image\": \"<base64 PNG or JPEG>\", \"label\": ...}");
    }
    return lines;
  }

  private static Line line(int index, byte[] body, int offset, int length) {
    try {
      JsonNode node = JSON.readTree(body, offset, length);
      JsonNode image = node == null ? null : node.get("image");
      if (image == null || !image.isTextual()) {
        return refused(index, "needs \"image\": the PNG or JPEG bytes in base64");
      }
      byte[] bytes;
      try {
        bytes = image.binaryValue();
      } catch (IOException e) {
        return refused(index, "\"image\" is not valid base64: " + e.getMessage());
      }
      return new Line(index, new ImageUpload(bytes, text(node, "contentType"),
          text(node, "label"), text(node, "source"), text(node, "annotator")), null);
    } catch (JsonProcessingException e) {
      return refused(index, "is not a JSON object: " + e.getOriginalMessage());
    } catch (IOException e) {
      return refused(index, "cannot be read: " + e.getMessage());
    }
  }

  private static Line refused(int index, String why) {
    return new Line(index, null,
        new RejectedInputException(Rejection.BAD_REQUEST, "image line " + index + " " + why));
  }

  private static Optional<String> text(JsonNode node, String field) {
    return Optional.ofNullable(node.get(field)).filter(JsonNode::isTextual).map(JsonNode::asText)
        .filter(v -> !v.isBlank());
  }

  private static boolean blank(byte[] body, int start, int end) {
    for (int i = start; i < end; i++) {
      if (!Character.isWhitespace(body[i])) {
        return false;
      }
    }
    return true;
  }
}
