package dev.spindle.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MetricsTextTest {
  private static final String SCRAPE = """
      # HELP spindle_ingest_accepted_total Records acknowledged by the broker, by topic
      # TYPE spindle_ingest_accepted_total counter
      spindle_ingest_accepted_total{topic="images.labeled"} 50.0
      spindle_ingest_accepted_total{topic="images.unlabeled"} 1200.0
      spindle_ingest_accepted_total{topic="labels"} 7.0
      # TYPE spindle_trainer_pretext_accuracy gauge
      spindle_trainer_pretext_accuracy 0.963
      spindle_broken_line not-a-number
      """;

  @Test
  void shouldSumACounterOverTheLabelSetsThatMatch() {
    MetricsText metrics = MetricsText.parse(SCRAPE);
    assertThat(metrics.total("spindle_ingest_accepted_total")).isEqualTo(1257.0);
    assertThat(metrics.total("spindle_ingest_accepted_total", "topic=\"images.")).isEqualTo(1250.0);
  }

  @Test
  void shouldReadAGaugeAndSayNaNForOneThatIsAbsent() {
    MetricsText metrics = MetricsText.parse(SCRAPE);
    assertThat(metrics.value("spindle_trainer_pretext_accuracy")).isEqualTo(0.963);
    assertThat(metrics.value("spindle_trainer_model_version")).isNaN();
    assertThat(metrics.total("spindle_trainer_pretrain_steps_total")).isZero();
  }

  @Test
  void shouldSkipLinesItCannotReadInsteadOfFailing() {
    assertThat(MetricsText.parse(SCRAPE).series()).doesNotContainKey("spindle_broken_line");
  }
}
