package org.tessera.core.io;

import java.nio.file.Path;

/**
 * A safetensors file, shard index or write could not be used. The message is one line naming the file,
 * the tensor where there is one, and the problem ("model.safetensors: tensor 'w': data_offsets [0, 12] hold
 * 12 bytes but BF16 [2, 4] needs 16"), so the CLI can show it to a user as it is.
 *
 * <p>Unchecked, like tessera's other input errors: every failure of the format code (including I/O errors
 * while reading or writing, kept as the cause) surfaces as this one type.
 */
public final class SafetensorsException extends RuntimeException {
    /** Names in messages are cut to this length so a corrupt header cannot produce a megabyte message. */
    private static final int MAX_NAME_IN_MESSAGE = 200;

    private final transient Path file;
    private final String tensor;

    public SafetensorsException(Path file, String tensor, String problem) {
        this(file, tensor, problem, null);
    }

    public SafetensorsException(Path file, String tensor, String problem, Throwable cause) {
        super(format(file, tensor, problem), cause);
        this.file = file;
        this.tensor = tensor;
    }

    /** The file concerned (may be null where there is none, e.g. a buffer). */
    public Path file() { return file; }

    /** The tensor concerned, or null for a problem with the file as a whole. */
    public String tensor() { return tensor; }

    private static String format(Path file, String tensor, String problem) {
        StringBuilder sb = new StringBuilder();
        sb.append(file == null ? "<safetensors>" : file.toString());
        if (tensor != null) sb.append(": tensor ").append(quote(tensor));
        return sb.append(": ").append(problem).toString();
    }

    /** A name in single quotes, shortened when absurdly long; used by the I/O code for names inside messages too. */
    static String quote(String name) {
        String s = name.length() <= MAX_NAME_IN_MESSAGE ? name
                : name.substring(0, MAX_NAME_IN_MESSAGE) + "...(" + name.length() + " chars)";
        return "'" + s + "'";
    }
}
