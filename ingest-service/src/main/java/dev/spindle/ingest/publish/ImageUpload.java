package dev.spindle.ingest.publish;

import java.util.Optional;

/**
 * One image to ingest, as received.
 *
 * @param bytes the body
 * @param contentType the declared content type, if any
 * @param label a class name, if the image comes labeled
 * @param source who sent it
 * @param annotator who labeled it, if labeled
 */
public record ImageUpload(byte[] bytes, Optional<String> contentType, Optional<String> label,
    Optional<String> source, Optional<String> annotator) {
}
