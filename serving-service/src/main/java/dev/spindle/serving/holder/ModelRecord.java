package dev.spindle.serving.holder;

import java.time.Instant;
import java.util.Map;

/**
 * What happened to one offered model version.
 *
 * @param version the model version
 * @param backboneVersion its backbone
 * @param status SERVING, STANDBY (accepted, not serving now) or REJECTED
 * @param reason why it was rejected or how it was judged
 * @param gatingAccuracy its accuracy on the gating set at the time (NaN without one)
 * @param trainerMetrics the figures the trainer published with it
 * @param at when the decision was made
 */
public record ModelRecord(long version, long backboneVersion, String status, String reason,
    double gatingAccuracy, Map<String, Double> trainerMetrics, Instant at) {

  ModelRecord withStatus(String newStatus) {
    return new ModelRecord(version, backboneVersion, newStatus, reason, gatingAccuracy,
        trainerMetrics, at);
  }
}
