package dev.spindle.schemas;

import java.util.Objects;
import org.apache.kafka.common.serialization.Serde;

/**
 * One topic of the contract: its name and the serdes for its keys and values. Pass these
 * serdes explicitly wherever the topic is read or written, so the wire format is decided here
 * and nowhere else.
 */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {

  public Topic {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(keySerde, "keySerde");
    Objects.requireNonNull(valueSerde, "valueSerde");
  }
}
