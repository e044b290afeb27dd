package dev.spindle.ingest.http;

import com.fasterxml.jackson.core.Base64Variants;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.spindle.ingest.publish.ImageUpload;
import dev.spindle.ingest.validation.RejectedInputException;
import dev.spindle.ingest.validation.Rejection;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The body of {@code POST /v1/images/batch}: newline-delimited JSON, one image per line,
 * {@code {"image": "<base64 PNG or JPEG>", "label"?, "source"?, "annotator"?, "contentType"?}}.
 * Blank lines are skipped. A line that is not such an object refuses that image only; a body
 * with no image line, or more than the limit, refuses the whole batch.
 */
final class ImageBatch {
  private static final JsonFactory JSON = new JsonFactory();
  private static final Set<String> TEXT_FIELDS =
      Set.of("contentType", "label", "source", "annotator");

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

  /**
   * One line, read as a token stream rather than a tree: a 500-image batch is 500 objects whose
   * only large value is the base64 image, and building a node tree for each cost about as much
   * CPU as validating the image. Same reading as a tree: the last of repeated fields wins,
   * fields other than the known text ones are skipped, anything after the object is ignored.
   */
  private static Line line(int index, byte[] body, int offset, int length) {
    String image = null;
    Map<String, String> text = new HashMap<>(4);
    try (JsonParser parser = JSON.createParser(body, offset, length)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return refused(index, "is not a JSON object");
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        boolean isImage = field.equals("image");
        boolean isText = TEXT_FIELDS.contains(field);
        String value = parser.nextToken() == JsonToken.VALUE_STRING && (isImage || isText)
            ? parser.getText() : null;
        // an object or array value is passed over whole, whatever fields it holds inside
        parser.skipChildren();
        if (isImage) {
          image = value;
        } else if (isText) {
          text.put(field, value);
        }
      }
    } catch (JsonProcessingException e) {
      return refused(index, "is not a JSON object: " + e.getOriginalMessage());
    } catch (IOException e) {
      return refused(index, "cannot be read: " + e.getMessage());
    }
    if (image == null) {
      return refused(index, "needs \"image\": the PNG or JPEG bytes in base64");
    }
    byte[] bytes;
    try {
      bytes = base64(image);
    } catch (IllegalArgumentException e) {
      return refused(index, "\"image\" is not valid base64: " + e.getMessage());
    }
    return new Line(index, new ImageUpload(bytes, text(text, "contentType"), text(text, "label"),
        text(text, "source"), text(text, "annotator")), null);
  }

  /**
   * The JDK's decoder (an order of magnitude faster than Jackson's), and Jackson's where the
   * JDK's refuses: Jackson's also skips whitespace between groups, which a tree reader allowed.
   */
  private static byte[] base64(String text) {
    try {
      return Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException strict) {
      return Base64Variants.getDefaultVariant().decode(text);
    }
  }

  private static Line refused(int index, String why) {
    return new Line(index, null,
        new RejectedInputException(Rejection.BAD_REQUEST, "image line " + index + " " + why));
  }

  private static Optional<String> text(Map<String, String> fields, String field) {
    return Optional.ofNullable(fields.get(field)).filter(v -> !v.isBlank());
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
