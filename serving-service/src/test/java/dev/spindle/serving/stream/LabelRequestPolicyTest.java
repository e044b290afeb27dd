package dev.spindle.serving.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LabelRequestPolicyTest {
  private static LabelRequestPolicy policy(int perWindow, int representatives) {
    return new LabelRequestPolicy(true, "margin", perWindow, Duration.ofMinutes(1), true,
        representatives);
  }

  /** Candidates least sure first; each one's "pixels" are its position in feature space. */
  private static List<LabelRequestWindow.Candidate> unsure(float[][] positions) {
    List<LabelRequestWindow.Candidate> out = new ArrayList<>();
    for (int i = 0; i < positions.length; i++) {
      out.add(new LabelRequestWindow.Candidate("img-" + i, 1.0 - 0.01 * i, 1, "shirt",
          positions[i]));
    }
    return out;
  }

  private static List<String> ids(List<LabelRequestWindow.Candidate> candidates) {
    return candidates.stream().map(LabelRequestWindow.Candidate::imageId).toList();
  }

  @Test
  void shouldKeepRepresentativesTimesMoreCandidatesThanItRequests() {
    assertThat(policy(20, 10).collected()).isEqualTo(200);
    assertThat(policy(20, 0).collected()).isEqualTo(20);
  }

  @Test
  void shouldRequestTheLeastSureThemselvesWithoutAskingForFeaturesWhenRepresentativesAreOff() {
    List<LabelRequestWindow.Candidate> candidates =
        unsure(new float[][] {{1, 0}, {1, 0.01f}, {0, 1}});

    List<LabelRequestWindow.Candidate> chosen = policy(2, 0).choose(candidates, pixels -> {
      throw new AssertionError("no features needed");
    }, 1);

    assertThat(ids(chosen)).containsExactly("img-0", "img-1");
  }

  @Test
  void shouldRequestOneImageOfEachUncertainRegionInsteadOfTheTwoLeastSureTwins() {
    // the two least sure are near twins; the third sits in another region
    List<LabelRequestWindow.Candidate> candidates =
        unsure(new float[][] {{1, 0}, {1, 0.01f}, {1, -0.01f}, {0, 1}, {0.02f, 1}});

    List<LabelRequestWindow.Candidate> chosen =
        policy(2, 10).choose(candidates, pixels -> pixels.toArray(float[][]::new), 1);

    assertThat(chosen).hasSize(2);
    assertThat(ids(chosen)).containsAnyOf("img-0", "img-1", "img-2")
        .containsAnyOf("img-3", "img-4");
    assertThat(chosen.get(0).uncertainty()).isGreaterThan(chosen.get(1).uncertainty());
  }

  @Test
  void shouldRefuseANegativeRepresentativesCount() {
    assertThatThrownBy(() -> policy(20, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("representatives");
  }
}
