package org.tessera.model;

/**
 * A model directory that tessera cannot use: an unsupported architecture, a missing file or tensor, a config value
 * out of range, or inputs that do not fit the model. The message names the file and what is wrong (and, for
 * unsupported choices, what is supported), because it goes to the user as is.
 */
public class ModelException extends RuntimeException {
    public ModelException(String message) {
        super(message);
    }

    public ModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
