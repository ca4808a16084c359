package org.tessera.vision.image;

/**
 * An image could not be read: the message names the file and the reason in one line, suitable to show
 * a user as it is ("scan.png: truncated PNG data").
 */
public final class ImageLoadException extends RuntimeException {
    public ImageLoadException(String message) {
        super(message);
    }

    public ImageLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
