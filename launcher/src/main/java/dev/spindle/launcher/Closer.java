package dev.spindle.launcher;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What the demo started, closed once in reverse order: on the normal way out and from the
 * Ctrl-C hook, whichever comes first (the other finds nothing left to close).
 */
final class Closer {
  private final Deque<AutoCloseable> open = new ArrayDeque<>();
  private volatile boolean closing;

  synchronized <T extends AutoCloseable> T add(T resource) {
    open.push(resource);
    return resource;
  }

  /** True once {@link #closeAll()} began: what is running should wind down, not fail. */
  boolean isClosing() {
    return closing;
  }

  void closeAll() {
    closing = true;
    closeInOrder();
  }

  private synchronized void closeInOrder() {
    while (!open.isEmpty()) {
      AutoCloseable next = open.pop();
      try {
        next.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        System.err.println("could not close " + next + ": " + e);
      }
    }
  }
}
