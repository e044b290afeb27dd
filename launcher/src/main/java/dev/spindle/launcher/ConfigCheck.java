package dev.spindle.launcher;

import dev.spindle.schemas.config.Settings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bin/spindle config}: a deployment's configuration read as the three services read it,
 * before any of them starts: which service reads each key, and which key none reads.
 */
@Command(name = "spindle config", mixinStandardHelpOptions = true,
    description = {"Checks a configuration as the services read it (the properties file, "
        + "then SPINDLE_* environment variables): lists each key set with the services that "
        + "read it, secrets hidden, and names the keys no service reads (a typo, or a key of "
        + "another version) and any value a service refuses.",
        "Exit status: 0 when every key is read by some service, 1 when one is not, 2 when a "
            + "value is refused or the file cannot be read."})
public final class ConfigCheck implements Callable<Integer> {
  /** Values shown as (hidden): credentials and tokens. */
  private static final Pattern SECRET = Pattern.compile(
      "token|password|secret|jaas|user\\.info|credential", Pattern.CASE_INSENSITIVE);

  @Option(names = {"-c", "--config"}, description = "Properties file (default: the file "
      + "SPINDLE_CONFIG names, if set).")
  Path configFile;

  @Spec
  CommandSpec spec;

  private final Map<String, String> env;

  public ConfigCheck() {
    this(System.getenv());
  }

  ConfigCheck(Map<String, String> env) {
    this.env = env;
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new ConfigCheck()).execute(args));
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Map<String, String> settings;
    Map<String, List<String>> readers;
    try {
      settings = Settings.load(Optional.ofNullable(configFile), env).asMap();
      readers = ServiceSettingsCheck.readers(settings);
    } catch (RuntimeException refused) {
      spec.commandLine().getErr().println("refused: " + refused.getMessage());
      return 2;
    }
    Optional<Path> file = Settings.configFile(Optional.ofNullable(configFile), env);
    out.println("settings from " + file.map(p -> "the file " + p + " and ").orElse("")
        + "the SPINDLE_* environment variables: " + settings.size() + " key(s)");
    Map<String, String> readBy = new TreeMap<>();
    readers.forEach((key, services) -> readBy.put(key, services.isEmpty()
        ? "NO SERVICE READS IT (typo?)" : String.join(", ", services)));
    String row = "  %-" + width(readBy.keySet()) + "s  %-" + width(readBy.values()) + "s  %s%n";
    readBy.forEach((key, services) ->
        out.printf(Locale.ROOT, row, key, services, shown(key, settings.get(key))));
    long unread = readers.values().stream().filter(List::isEmpty).count();
    if (unread > 0) {
      out.println(unread + " key(s) no service reads: every service would ignore them");
      return 1;
    }
    out.println("every key is read by some service; the rest take their defaults (README, "
        + "Configuration)");
    return 0;
  }

  private static int width(java.util.Collection<String> column) {
    return column.stream().mapToInt(String::length).max().orElse(1);
  }

  private static String shown(String key, String value) {
    return SECRET.matcher(key).find() ? "(hidden)" : value;
  }
}
