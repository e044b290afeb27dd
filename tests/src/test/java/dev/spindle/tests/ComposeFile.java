package dev.spindle.tests;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.Yaml;

/** The repository's docker-compose.yml, parsed (anchors and merge keys resolved). */
record ComposeFile(Path dir, Map<String, Object> root) {

  static ComposeFile load() throws IOException {
    Path dir = repositoryRoot();
    try (Reader in = Files.newBufferedReader(dir.resolve("docker-compose.yml"))) {
      return new ComposeFile(dir, new Yaml().load(in));
    }
  }

  /** The repository root: the folder above this module that holds docker-compose.yml. */
  static Path repositoryRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isRegularFile(dir.resolve("docker-compose.yml"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("no docker-compose.yml above " + Path.of("").toAbsolutePath());
    }
    return dir;
  }

  Map<String, Object> service(String name) {
    Map<String, Object> service = map(map(root, "services"), name);
    if (service.isEmpty()) {
      throw new AssertionError("docker-compose.yml has no service " + name);
    }
    return service;
  }

  /** A service's environment as strings. */
  Map<String, String> environment(String service) {
    Map<String, String> env = new LinkedHashMap<>();
    map(service(service), "environment").forEach((k, v) -> env.put(k, String.valueOf(v)));
    return env;
  }

  /** The container side of each "host:container" port mapping. */
  List<Integer> containerPorts(String service) {
    return list(service(service), "ports").stream()
        .map(p -> Integer.parseInt(String.valueOf(p).replaceAll(".*:", "")))
        .toList();
  }

  String healthcheck(String service) {
    return String.join(" ", list(map(service(service), "healthcheck"), "test").stream()
        .map(String::valueOf).toList());
  }

  /** "volume:/path[:mode]" entries as volume -> path. */
  Map<String, String> volumeMounts(String service) {
    Map<String, String> mounts = new LinkedHashMap<>();
    for (Object entry : list(service(service), "volumes")) {
      String[] parts = String.valueOf(entry).split(":");
      mounts.put(parts[0], parts[1]);
    }
    return mounts;
  }

  Map<String, Object> build(String service) {
    return map(service(service), "build");
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Map<String, Object> parent, String key) {
    Object value = parent.get(key);
    return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Map<String, Object> parent, String key) {
    Object value = parent.get(key);
    return value instanceof List<?> l ? (List<Object>) l : List.of();
  }
}
