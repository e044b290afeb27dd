package dev.spindle.schemas.config;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.config.ConfigException;

/**
 * Layered configuration, the same for every service: built-in defaults, then a properties file,
 * then environment variables. A key such as {@code kafka.bootstrap.servers} is read from the
 * environment as {@code SPINDLE_KAFKA_BOOTSTRAP_SERVERS} (upper case, dots and dashes as
 * underscores). Immutable once loaded.
 */
public final class Settings {
  public static final String ENV_PREFIX = "SPINDLE_";
  /** The environment variable naming the properties file. */
  public static final String CONFIG_FILE_ENV = "SPINDLE_CONFIG";

  private final Map<String, String> values;
  private final Set<String> read = ConcurrentHashMap.newKeySet();

  private Settings(Map<String, String> values) {
    this.values = Map.copyOf(values);
  }

  /**
   * The keys under {@code prefix} that are set but that nothing has read so far: after a
   * service built its configuration, a typo or a setting of another version. Sorted.
   */
  public List<String> unreadKeys(String prefix) {
    return values.keySet().stream()
        .filter(k -> k.startsWith(prefix) && !wasRead(k))
        .sorted()
        .toList();
  }

  /** Whether anything has read {@code key} so far (alone or under a prefix it asked for). */
  public boolean wasRead(String key) {
    return read.contains(key);
  }

  /** Logs a warning for every unread key under {@code prefix} (see {@link #unreadKeys}). */
  public void warnUnread(String prefix, org.slf4j.Logger log) {
    unreadKeys(prefix).forEach(key -> log.warn(
        "setting {} is not one this service reads (typo? it is ignored)", key));
  }

  /**
   * Loads {@code file} (if given, else the file named by {@code SPINDLE_CONFIG}, if set) and
   * overlays the {@code SPINDLE_*} variables of {@code env}.
   */
  public static Settings load(Optional<Path> file, Map<String, String> env) {
    Map<String, String> merged = new HashMap<>();
    configFile(file, env).ifPresent(path -> merged.putAll(readProperties(path)));
    env.forEach((name, value) -> {
      if (name.startsWith(ENV_PREFIX) && !name.equals(CONFIG_FILE_ENV)) {
        merged.put(keyOf(name), value);
      }
    });
    return new Settings(merged);
  }

  /** The properties file {@link #load} reads: {@code file} if given, else SPINDLE_CONFIG's. */
  public static Optional<Path> configFile(Optional<Path> file, Map<String, String> env) {
    return file.or(() -> Optional.ofNullable(env.get(CONFIG_FILE_ENV)).map(Path::of));
  }

  /** The local stack's addresses, the defaults of every command line. */
  public static final String LOCAL_BOOTSTRAP = "127.0.0.1:9092";
  public static final String LOCAL_REGISTRY = "http://127.0.0.1:8081/apis/ccompat/v7";

  /**
   * What a command line runs with: the local stack's addresses, then the config file and
   * {@code SPINDLE_*} variables, then {@code overrides} (command-line options; null values are
   * ignored).
   */
  public static Settings forCommandLine(Optional<Path> file, Map<String, String> overrides) {
    Map<String, String> merged = new HashMap<>(Map.of(
        ClientSettings.BOOTSTRAP_KEY, LOCAL_BOOTSTRAP,
        ClientSettings.REGISTRY_KEY, LOCAL_REGISTRY));
    merged.putAll(load(file, System.getenv()).asMap());
    overrides.forEach((key, value) -> {
      if (value != null) {
        merged.put(key, value);
      }
    });
    return new Settings(merged);
  }

  /** Settings from explicit values only (tests, embedded use). */
  public static Settings of(Map<String, String> values) {
    return new Settings(values);
  }

  /** Every value, for layering one Settings over another. */
  public Map<String, String> asMap() {
    return values;
  }

  /** A copy with {@code overrides} on top. */
  public Settings with(Map<String, String> overrides) {
    Map<String, String> merged = new HashMap<>(values);
    merged.putAll(overrides);
    return new Settings(merged);
  }

  /** The environment variable that sets {@code key}. */
  public static String envName(String key) {
    return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  private static String keyOf(String envName) {
    return envName.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
  }

  public Optional<String> find(String key) {
    read.add(key);
    return Optional.ofNullable(values.get(key)).map(String::trim).filter(v -> !v.isEmpty());
  }

  public String get(String key, String defaultValue) {
    return find(key).orElse(defaultValue);
  }

  /** A required value: missing fails fast, naming the key and its environment variable. */
  public String require(String key) {
    return find(key).orElseThrow(() -> new ConfigException("missing required setting " + key
        + " (set it in the config file or as " + envName(key) + ")"));
  }

  public int getInt(String key, int defaultValue) {
    return find(key).map(v -> parse(key, v, Integer::parseInt)).orElse(defaultValue);
  }

  public long getLong(String key, long defaultValue) {
    return find(key).map(v -> parse(key, v, Long::parseLong)).orElse(defaultValue);
  }

  /** A duration in milliseconds. */
  public Duration getMillis(String key, Duration defaultValue) {
    return find(key).map(v -> Duration.ofMillis(parse(key, v, Long::parseLong)))
        .orElse(defaultValue);
  }

  public boolean getBoolean(String key, boolean defaultValue) {
    return find(key).map(Boolean::parseBoolean).orElse(defaultValue);
  }

  /** Every key under {@code prefix}, with the prefix removed (e.g. Kafka client pass-through). */
  public Map<String, String> withPrefix(String prefix) {
    Map<String, String> out = new HashMap<>();
    values.forEach((k, v) -> {
      if (k.startsWith(prefix)) {
        read.add(k);
        out.put(k.substring(prefix.length()), v);
      }
    });
    return out;
  }

  private static <T> T parse(String key, String value, java.util.function.Function<String, T> f) {
    try {
      return f.apply(value.trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(key, value, "not a number");
    }
  }

  private static Map<String, String> readProperties(Path path) {
    Properties p = new Properties();
    try (Reader in = Files.newBufferedReader(path)) {
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read config file " + path, e);
    }
    Map<String, String> out = new HashMap<>();
    p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k)));
    return out;
  }
}
