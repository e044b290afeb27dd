package dev.spindle.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ServiceSettingsCheckTest {
  @Test
  void shouldAcceptSettingsOfEachServiceAndTheClientsPassThrough() {
    assertThatCode(() -> ServiceSettingsCheck.checkDemoOverrides(Map.of(
        "trainer.propagation.rounds", "6",
        "serving.gate.margin", "0.02",
        "ingest.max.bytes", "1000000",
        "topics.partitions", "2",
        "kafka.linger.ms", "5")))
        .doesNotThrowAnyException();
  }

  @Test
  void shouldRefuseASettingNoServiceReadsNamingIt() {
    assertThatThrownBy(() -> ServiceSettingsCheck.checkDemoOverrides(Map.of(
        "trainer.propagaton.rounds", "6", "trainr.seed", "2", "serving.top.k", "5")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no service reads trainer.propagaton.rounds, trainr.seed")
        .hasMessageNotContaining("serving.top.k");
  }

  @Test
  void shouldRefuseAValueTheServiceCannotParseBeforeAnythingStarts() {
    assertThatThrownBy(() -> ServiceSettingsCheck.checkDemoOverrides(Map.of(
        "trainer.propagation.rounds", "six")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("trainer.propagation.rounds")
        .hasMessageContaining("six");
  }

  @Test
  void shouldRefuseTheStackAddressesWhichAreTheDemosOwn() {
    assertThatThrownBy(() -> ServiceSettingsCheck.checkDemoOverrides(Map.of(
        "kafka.bootstrap.servers", "elsewhere:9092")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("kafka.bootstrap.servers")
        .hasMessageContaining("own local stack");
  }

  @Test
  void shouldFindEveryKeyOfTheReadmesConfigurationTableReadBySomeService() throws Exception {
    List<String> keys = readmeConfigurationKeys(Path.of("..", "README.md"));
    assertThat(keys).as("the README's configuration table was found").hasSizeGreaterThan(40)
        .contains("trainer.propagation.learning.rate", "serving.label.requests.representatives");
    Map<String, String> blank = new LinkedHashMap<>();
    // a blank value reads as unset: each service takes its default, and still reads the key
    keys.forEach(key -> blank.put(key, ""));

    assertThat(ServiceSettingsCheck.unreadByEveryService(blank)).isEmpty();
  }

  /**
   * The keys in the first column of the README's configuration table; a key written as
   * {@code .rest} after another replaces that one's last part ({@code trainer.propagation.rounds
   * / .epochs}).
   */
  private static List<String> readmeConfigurationKeys(Path readme) throws Exception {
    String text = Files.readString(readme);
    String table = text.substring(text.indexOf("## Configuration"));
    table = table.substring(0, table.indexOf("\n## ", 1));
    Pattern key = Pattern.compile("`(\\.?[a-z][a-z0-9]*(?:\\.[a-z0-9]+)*)`");
    List<String> keys = new ArrayList<>();
    for (String row : table.lines().filter(l -> l.startsWith("| `")).toList()) {
      String firstColumn = row.substring(1, row.indexOf('|', 1));
      String first = null;
      Matcher m = key.matcher(firstColumn);
      while (m.find()) {
        String found = m.group(1);
        if (found.startsWith(".")) {
          keys.add(first.substring(0, first.lastIndexOf('.')) + found);
        } else if (found.contains(".")) {
          first = found;
          keys.add(found);
        }
      }
    }
    return keys;
  }
}
