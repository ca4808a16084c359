package org.tessera.vision.image;

/**
 * A decoder's reason for refusing a file, without the file name ("truncated PNG data");
 * {@link ImageLoader} prefixes the name and turns it into an {@link ImageLoadException}.
 */
final class DecodeException extends RuntimeException {
    DecodeException(String reason) {
        super(reason, null, false, false);
    }

    DecodeException(String reason, Throwable cause) {
        super(reason, cause, false, false);
    }
}
