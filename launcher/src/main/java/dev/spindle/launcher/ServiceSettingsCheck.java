package dev.spindle.launcher;

import dev.spindle.ingest.IngestConfig;
import dev.spindle.schemas.config.ClientSettings;
import dev.spindle.schemas.config.Settings;
import dev.spindle.serving.ServingConfig;
import dev.spindle.trainer.TrainerConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.kafka.common.config.ConfigException;

/**
 * Checks settings meant for the services before anything starts, by reading them as each
 * service reads its configuration: a key none of the three reads (a typo, or a key of another
 * version) is otherwise only a warning in one service's log, and a value a service cannot
 * parse stops that service when it starts.
 */
final class ServiceSettingsCheck {
  private record Service(String name, Consumer<Settings> readsConfiguration) {}

  private static final List<Service> SERVICES = List.of(
      new Service("ingest", IngestConfig::from),
      new Service("trainer", TrainerConfig::from),
      new Service("serving", ServingConfig::from));

  private ServiceSettingsCheck() {}

  /**
   * For each key of {@code settings} (sorted), the services that read it; empty for a key no
   * service reads.
   *
   * @throws IllegalArgumentException naming the service's complaint, for a value a service
   *     refuses (e.g. not a number)
   */
  static Map<String, List<String>> readers(Map<String, String> settings) {
    Map<String, String> withAddresses = new HashMap<>(settings);
    // the services require both; where none is given, the local stack's stand in
    withAddresses.merge(ClientSettings.BOOTSTRAP_KEY, Settings.LOCAL_BOOTSTRAP,
        ServiceSettingsCheck::given);
    withAddresses.merge(ClientSettings.REGISTRY_KEY, Settings.LOCAL_REGISTRY,
        ServiceSettingsCheck::given);
    Map<String, Settings> read = new HashMap<>();
    for (Service service : SERVICES) {
      Settings each = Settings.of(withAddresses);
      try {
        service.readsConfiguration().accept(each);
      } catch (ConfigException | IllegalArgumentException refused) {
        throw new IllegalArgumentException(service.name() + "-service refuses a value: "
            + refused.getMessage(), refused);
      }
      read.put(service.name(), each);
    }
    Map<String, List<String>> readers = new TreeMap<>();
    settings.keySet().forEach(key -> readers.put(key, SERVICES.stream().map(Service::name)
        .filter(name -> read.get(name).wasRead(key)).toList()));
    return readers;
  }

  /** The keys of {@code settings} that no service reads, sorted (see {@link #readers}). */
  static List<String> unreadByEveryService(Map<String, String> settings) {
    return readers(settings).entrySet().stream()
        .filter(e -> e.getValue().isEmpty())
        .map(Map.Entry::getKey)
        .toList();
  }

  private static String given(String value, String fallback) {
    return value.isBlank() ? fallback : value;
  }

  /**
   * Refuses {@code demo --set} settings that no service reads or whose value a service
   * refuses, and the stack's addresses, which are the demo's own.
   *
   * @throws IllegalArgumentException saying which and why
   */
  static void checkDemoOverrides(Map<String, String> overrides) {
    for (String address : List.of(ClientSettings.BOOTSTRAP_KEY, ClientSettings.REGISTRY_KEY)) {
      if (overrides.containsKey(address)) {
        throw new IllegalArgumentException("--set " + address + ": the demo runs the services "
            + "on its own local stack, whose address it sets");
      }
    }
    List<String> unread;
    try {
      unread = unreadByEveryService(overrides);
    } catch (IllegalArgumentException refused) {
      throw new IllegalArgumentException("--set: " + refused.getMessage(), refused);
    }
    if (!unread.isEmpty()) {
      throw new IllegalArgumentException("--set: no service reads " + String.join(", ", unread)
          + " (a typo? the keys are in the README's configuration table)");
    }
  }
}
