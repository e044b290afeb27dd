package dev.spindle.model.artifact;

import java.net.URI;

/** Where an artifact was written and its checksum: what a {@code models} event carries. */
public record StoredModel(URI uri, String sha256, ModelManifest manifest) {}
