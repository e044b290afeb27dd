package dev.spindle.launcher;

import java.time.LocalTime;
import java.time.format.DateTimeFormatter;

/** The demo's progress lines and closing table, for people. */
final class Console {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

  private Console() {
  }

  static void step(String message) {
    System.out.printf("[%s] %s%n", LocalTime.now().format(TIME), message);
  }
}
