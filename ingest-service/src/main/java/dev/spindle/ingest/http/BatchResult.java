package dev.spindle.ingest.http;

import dev.spindle.ingest.publish.IngestResult;
import dev.spindle.ingest.validation.RejectedInputException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What became of one image of a batch: accepted (202, with its id, like a single upload),
 * refused for bad input (4xx, with the code and message a single upload would get), or not
 * acknowledged by Kafka in time (503).
 */
record BatchResult(int index, int status, boolean duplicate, Map<String, Object> fields) {

  static BatchResult accepted(int index, IngestResult result) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("id", result.id());
    fields.put("duplicate", result.duplicate());
    fields.put("labeled", result.labeled());
    return new BatchResult(index, 202, result.duplicate(), fields);
  }

  static BatchResult refused(int index, RejectedInputException e) {
    return new BatchResult(index, e.reason().httpStatus(), false,
        error(e.reason().code(), e.getMessage()));
  }

  static BatchResult unavailable(int index, String message) {
    return new BatchResult(index, 503, false, error("unavailable", message));
  }

  private static Map<String, Object> error(String code, String message) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("error", code);
    fields.put("message", message);
    return fields;
  }

  Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("index", index);
    json.put("status", status);
    json.putAll(fields);
    return json;
  }

  /** Counts over a batch, and the status the whole response gets. */
  record Summary(int accepted, int duplicates, int refused, int unavailable) {

    /** 503 if any image is unacknowledged, else 207 if any was refused, else 202. */
    int httpStatus() {
      return unavailable > 0 ? 503 : refused > 0 ? 207 : 202;
    }

    Map<String, Object> body(List<BatchResult> results) {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("accepted", accepted);
      body.put("duplicates", duplicates);
      body.put("refused", refused);
      body.put("unavailable", unavailable);
      body.put("results", results.stream().map(BatchResult::toJson).toList());
      return body;
    }
  }

  static Summary summarize(List<BatchResult> results) {
    int accepted = 0;
    int duplicates = 0;
    int refused = 0;
    int unavailable = 0;
    for (BatchResult result : results) {
      if (result.status == 202) {
        accepted++;
        duplicates += result.duplicate ? 1 : 0;
      } else if (result.status == 503) {
        unavailable++;
      } else {
        refused++;
      }
    }
    return new Summary(accepted, duplicates, refused, unavailable);
  }
}
