package dev.spindle.ingest.loader;

import dev.spindle.ingest.publish.ImageUpload;
import java.util.function.Supplier;

/**
 * One file to load: a name for messages and a way to read it (read lazily, so the loader holds
 * only the images in flight).
 */
public record LoadItem(String name, Supplier<ImageUpload> upload) {
}
