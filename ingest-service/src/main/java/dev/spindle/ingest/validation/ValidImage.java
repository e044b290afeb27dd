package dev.spindle.ingest.validation;

/** An image that passed validation: its bytes, sniffed media type and dimensions. */
public record ValidImage(byte[] bytes, String mediaType, int width, int height) {
}
