package dev.spindle.serving.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class LabelRequestWindowTest {
  private static LabelRequestWindow.Candidate candidate(String id, double uncertainty, String predicted) {
    return new LabelRequestWindow.Candidate(id, uncertainty, 1, predicted);
  }

  private static List<String> ids(List<LabelRequestWindow.Candidate> candidates) {
    return candidates.stream().map(LabelRequestWindow.Candidate::imageId).toList();
  }

  @Test
  void shouldRequestTheLeastSureImagesOverall() {
    LabelRequestWindow window = new LabelRequestWindow(3, false);
    for (String[] c : new String[][] {{"a", "0.9", "shirt"}, {"b", "0.8", "shirt"},
        {"c", "0.7", "shirt"}, {"d", "0.2", "bag"}, {"e", "0.85", "shirt"}}) {
      window.offer(candidate(c[0], Double.parseDouble(c[1]), c[2]));
    }

    assertThat(ids(window.drain())).containsExactly("a", "e", "b");
    assertThat(window.drain()).isEmpty();
  }

  @Test
  void shouldGiveEveryPredictedClassItsTurnWhenBalanced() {
    LabelRequestWindow window = new LabelRequestWindow(4, true);
    for (String[] c : new String[][] {{"a", "0.9", "shirt"}, {"b", "0.8", "shirt"},
        {"c", "0.7", "shirt"}, {"d", "0.2", "bag"}, {"e", "0.85", "shirt"}, {"f", "0.5", "sandal"}}) {
      window.offer(candidate(c[0], Double.parseDouble(c[1]), c[2]));
    }

    // one per class in turn (the class with the least sure image first), then round two
    assertThat(ids(window.drain())).containsExactly("a", "f", "d", "e");
  }

  @Test
  void shouldNotRequestOneImageTwiceInAWindow() {
    LabelRequestWindow window = new LabelRequestWindow(3, false);
    window.offer(candidate("a", 0.9, "shirt"));
    window.offer(candidate("a", 0.9, "shirt"));

    assertThat(ids(window.drain())).containsExactly("a");
  }

  @Test
  void shouldHoldAnImageOnceEvenWhenTwoModelsPredictedItDifferently() {
    LabelRequestWindow window = new LabelRequestWindow(3, true);
    window.offer(candidate("a", 0.9, "shirt"));
    window.offer(candidate("a", 0.8, "T-shirt/top")); // after a swap: another class

    assertThat(ids(window.drain())).containsExactly("a");
  }

  @Test
  void shouldTakeBackAnImageItEvictedWhenItComesAgainLessSure() {
    LabelRequestWindow window = new LabelRequestWindow(1, false);
    window.offer(candidate("a", 0.5, "shirt"));
    window.offer(candidate("b", 0.9, "shirt")); // evicts a
    window.offer(candidate("a", 0.95, "shirt")); // a again, now the least sure: held again

    assertThat(ids(window.drain())).containsExactly("a");
  }
}
