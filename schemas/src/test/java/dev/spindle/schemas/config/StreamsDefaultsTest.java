package dev.spindle.schemas.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;
import org.junit.jupiter.api.Test;

class StreamsDefaultsTest {
  @Test
  void shouldEnableTheGlobalExceptionHandlerForTheAppAndItsAssignors() {
    Properties props = new Properties();
    StreamsDefaults.enableGlobalExceptionHandler(props);
    assertThat(props).containsEntry("processing.exception.handler.global.enabled", true)
        .containsEntry("main.consumer.processing.exception.handler.global.enabled", true);
  }

  @Test
  void shouldKeepAValueTheOperatorSet() {
    Properties props = new Properties();
    props.put("processing.exception.handler.global.enabled", "false");
    StreamsDefaults.enableGlobalExceptionHandler(props);
    assertThat(props).containsEntry("processing.exception.handler.global.enabled", "false")
        .containsEntry("main.consumer.processing.exception.handler.global.enabled", "false");
  }
}
