package dev.spindle.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ConfigCheckTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int check(Map<String, String> env, String... args) {
    return new CommandLine(new ConfigCheck(env))
        .setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(err, true))
        .execute(args);
  }

  @Test
  void shouldListEachKeyWithTheServicesThatReadItAndHideSecrets(@TempDir Path dir)
      throws Exception {
    Path file = Files.writeString(dir.resolve("spindle.properties"),
        "trainer.propagation.rounds=6\nserving.admin.tokens=s3cret\n");

    int status = check(Map.of("SPINDLE_KAFKA_LINGER_MS", "5", "PATH", "/bin"),
        "--config", file.toString());

    assertThat(status).isZero();
    assertThat(out.toString())
        .contains("3 key(s)")
        .containsPattern("trainer\\.propagation\\.rounds +trainer +6")
        .containsPattern("kafka\\.linger\\.ms +ingest, trainer, serving")
        .contains("(hidden)")
        .doesNotContain("s3cret")
        .contains("every key is read by some service");
  }

  @Test
  void shouldExitOneNamingTheKeysNoServiceReads() {
    int status = check(Map.of("SPINDLE_TRAINER_PROPAGATON_ROUNDS", "6",
        "SPINDLE_SERVING_TOP_K", "5"));

    assertThat(status).isEqualTo(1);
    assertThat(out.toString())
        .containsPattern("trainer\\.propagaton\\.rounds +NO SERVICE READS IT")
        .containsPattern("serving\\.top\\.k +serving")
        .contains("1 key(s) no service reads");
  }

  @Test
  void shouldExitTwoNamingARefusedValueOrAnUnreadableFile(@TempDir Path dir) {
    assertThat(check(Map.of("SPINDLE_TRAINER_STAGE1_EPOCHS", "thirty"))).isEqualTo(2);
    assertThat(err.toString()).contains("trainer-service refuses a value")
        .contains("trainer.stage1.epochs").contains("thirty");

    assertThat(check(Map.of(), "--config", dir.resolve("missing.properties").toString()))
        .isEqualTo(2);
    assertThat(err.toString()).contains("cannot read config file");
  }
}
