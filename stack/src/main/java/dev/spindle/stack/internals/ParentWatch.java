package dev.spindle.stack.internals;

import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A watchdog for a child process that cannot watch its parent itself (the registry's Quarkus
 * runner; the broker's own main does it): a shell loop that checks every second whether this JVM
 * and the child are alive, and SIGTERMs the child once this JVM is gone, even after a
 * {@code kill -9} that runs no shutdown hook. When the child ends first, the loop ends without
 * sending anything. Without a POSIX shell the child is not watched, and a warning says so.
 */
final class ParentWatch {
  private static final Logger log = LoggerFactory.getLogger(ParentWatch.class);

  private ParentWatch() {
  }

  static void stopWithThisJvm(Process child, String name) {
    long parent = ProcessHandle.current().pid();
    long pid = child.pid();
    String script = "while kill -0 " + parent + " 2>/dev/null && kill -0 " + pid
        + " 2>/dev/null; do sleep 1; done; kill -0 " + parent + " 2>/dev/null || kill " + pid
        + " 2>/dev/null";
    try {
      new ProcessBuilder("sh", "-c", script)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start();
    } catch (IOException e) {
      log.warn("the {} (pid {}) is not watched: no shell to run its watchdog ({}); if this JVM "
          + "is killed with SIGKILL it keeps running", name, pid, e.getMessage());
    }
  }
}
