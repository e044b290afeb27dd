package dev.spindle.launcher;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The annotator's rounds, and from them the label-to-serving latency: a round is served by
 * the first served model version, published after the round's labels were acknowledged, whose
 * labels-used count includes them (the labels on upload plus every round up to this one).
 */
final class LabelRounds {
  private final List<Annotator.Round> rounds = new ArrayList<>();

  void add(Annotator.Round round) {
    rounds.add(round);
  }

  int count() {
    return rounds.size();
  }

  int sent() {
    return rounds.stream().mapToInt(Annotator.Round::total).sum();
  }

  int fromRequests() {
    return rounds.stream().mapToInt(Annotator.Round::fromRequests).sum();
  }

  /** Seconds from round {@code i}'s last acknowledged label to serving a model with it; null if none yet. */
  Double roundLatency(int i, List<PipelineWatch.Served> served, int labeledOnUpload) {
    long acked = rounds.get(i).ackedAtNanos();
    return servedBy(i, served, labeledOnUpload)
        .map(s -> (s.servedAtNanos() - acked) / 1e9)
        .orElse(null);
  }

  /** The first served version that includes round {@code i}'s labels. */
  private Optional<PipelineWatch.Served> servedBy(int i, List<PipelineWatch.Served> served,
      int labeledOnUpload) {
    Annotator.Round round = rounds.get(i);
    long needed = labeledOnUpload + rounds.subList(0, i + 1).stream()
        .mapToInt(Annotator.Round::total).sum();
    return served.stream()
        .filter(s -> s.servedAtNanos() >= round.ackedAtNanos() && s.manifest().labelsUsed() >= needed)
        .findFirst();
  }

  /**
   * For a served version: the latency of the newest round it was the first to serve, null
   * when it served no round (the first model, trained on the labels that came with uploads).
   */
  Double latencySeconds(PipelineWatch.Served version, List<PipelineWatch.Served> served,
      int labeledOnUpload) {
    Double latest = null;
    for (int i = 0; i < rounds.size(); i++) {
      if (servedBy(i, served, labeledOnUpload).filter(version::equals).isPresent()) {
        latest = roundLatency(i, served, labeledOnUpload);
      }
    }
    return latest;
  }

  /** The median label-to-serving latency over the rounds that were served, null if none. */
  Double medianLatency(List<PipelineWatch.Served> served, int labeledOnUpload) {
    List<Double> latencies = new ArrayList<>();
    for (int i = 0; i < rounds.size(); i++) {
      Double latency = roundLatency(i, served, labeledOnUpload);
      if (latency != null) {
        latencies.add(latency);
      }
    }
    if (latencies.isEmpty()) {
      return null;
    }
    latencies.sort(null);
    int n = latencies.size();
    double median = (latencies.get((n - 1) / 2) + latencies.get(n / 2)) / 2;
    return Math.round(median * 10) / 10.0;
  }

  /** ", N s after the labels that completed it" for the progress line, or "". */
  String latencyText(PipelineWatch.Served version, List<PipelineWatch.Served> served,
      int labeledOnUpload) {
    Double latency = latencySeconds(version, served, labeledOnUpload);
    return latency == null ? "" : String.format(", %.1f s after the annotator's labels", latency);
  }
}
