package dev.spindle.schemas.serde;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigException;

/**
 * The serde's settings, under the same keys as Confluent's serde so that either can be
 * configured the same way.
 *
 * @param registryUrls base URLs of the registry's Confluent-compatible API, tried in order
 * @param autoRegister register the writer's schema when the subject lacks it
 * @param basicAuthUserInfo {@code user:password} for HTTP basic auth, if the registry needs it
 * @param requestTimeout bound on every registry call
 */
public record AvroSerdeConfig(
    List<String> registryUrls,
    boolean autoRegister,
    Optional<String> basicAuthUserInfo,
    Duration requestTimeout) {

  public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
  public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";
  public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
  public static final String REQUEST_TIMEOUT_MS = "schema.registry.request.timeout.ms";

  /** Reads the settings; a missing registry URL fails fast, naming the key. */
  public static AvroSerdeConfig from(Map<String, ?> configs) {
    Object url = configs.get(SCHEMA_REGISTRY_URL);
    if (url == null || url.toString().isBlank()) {
      throw new ConfigException("missing required setting " + SCHEMA_REGISTRY_URL
          + " (the schema registry's Confluent-compatible base URL)");
    }
    List<String> urls = Arrays.stream(url.toString().split(","))
        .map(String::trim).filter(s -> !s.isEmpty())
        .map(s -> s.endsWith("/") ? s.substring(0, s.length() - 1) : s)
        .toList();
    boolean autoRegister = Boolean.parseBoolean(valueOr(configs, AUTO_REGISTER_SCHEMAS, "true"));
    Optional<String> userInfo = Optional.ofNullable(configs.get(BASIC_AUTH_USER_INFO))
        .map(Object::toString).filter(s -> !s.isBlank());
    Duration timeout = Duration.ofMillis(Long.parseLong(valueOr(configs, REQUEST_TIMEOUT_MS, "10000")));
    return new AvroSerdeConfig(urls, autoRegister, userInfo, timeout);
  }

  private static String valueOr(Map<String, ?> configs, String key, String defaultValue) {
    Object value = configs.get(key);
    return value == null ? defaultValue : value.toString().trim();
  }
}
