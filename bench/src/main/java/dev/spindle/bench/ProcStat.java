package dev.spindle.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * One line of Linux's {@code /proc/PID/stat} or {@code /proc/PID/task/TID/stat}: the process's
 * or thread's name and the CPU it has used. The name sits in parentheses and may hold spaces,
 * so fields are counted after its closing ')'.
 */
public record ProcStat(String name, long cpuTicks) {
  /** Linux's USER_HZ: /proc counts CPU time in hundredths of a second. */
  public static final double TICKS_PER_SECOND = 100;

  /** The stat of {@code file}; empty once its process or thread has ended. */
  public static Optional<ProcStat> read(Path file) {
    try {
      String stat = Files.readString(file);
      String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      // fields 3.. after the name: utime and stime are the 14th and 15th overall
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
      return Optional.of(new ProcStat(name, Long.parseLong(f[11]) + Long.parseLong(f[12])));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
