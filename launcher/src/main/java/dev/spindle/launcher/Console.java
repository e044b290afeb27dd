package dev.spindle.launcher;

import java.nio.file.Path;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/** The demo's progress lines and closing table, for people. */
final class Console {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

  private Console() {
  }

  static void step(String message) {
    System.out.printf("[%s] %s%n", LocalTime.now().format(TIME), message);
  }

  static void summary(Map<String, Object> summary, Path file) {
    System.out.println();
    System.out.println("== Spindle demo summary ==");
    summary.forEach((k, v) -> System.out.printf("  %-34s %s%n", k, v));
    System.out.println("  written to " + file);
  }
}
