package dev.spindle.ingest.loader;

import java.io.PrintStream;

/**
 * A progress line on the terminal (redrawn in place), or a plain line every few seconds when
 * output is not a terminal (CI logs).
 */
public final class ProgressBar {
  private static final long TTY_EVERY_NANOS = 200_000_000L;
  private static final long LOG_EVERY_NANOS = 5_000_000_000L;
  private static final int WIDTH = 30;

  private final PrintStream out;
  private final long total;
  private final boolean tty;
  private final long started = System.nanoTime();
  private long lastDrawn;

  public ProgressBar(PrintStream out, long total) {
    this.out = out;
    this.total = total;
    this.tty = System.console() != null;
  }

  public void update(long done, String detail) {
    long now = System.nanoTime();
    if (now - lastDrawn < (tty ? TTY_EVERY_NANOS : LOG_EVERY_NANOS)) {
      return;
    }
    lastDrawn = now;
    draw(done, detail);
  }

  public void finish(long done, String detail) {
    draw(done, detail);
    if (tty) {
      out.println();
    }
  }

  private void draw(long done, String detail) {
    double seconds = (System.nanoTime() - started) / 1e9;
    double fraction = total > 0 ? Math.min(1.0, (double) done / total) : 0;
    int filled = (int) Math.round(fraction * WIDTH);
    String line = String.format("[%s%s] %3.0f%% %d/%d  %.0f img/s  %s", "#".repeat(filled),
        " ".repeat(WIDTH - filled), fraction * 100, done, total, seconds > 0 ? done / seconds : 0,
        detail);
    if (tty) {
      out.print("\r" + line);
    } else {
      out.println(line);
    }
    out.flush();
  }
}
