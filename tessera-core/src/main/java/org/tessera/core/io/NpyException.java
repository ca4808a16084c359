package org.tessera.core.io;

import java.nio.file.Path;

/**
 * A NumPy .npy file could not be read or written; the one-line message names the file and the problem
 * ("logits.npy: fortran_order True is not supported (C order only)"). Unchecked, like tessera's other input errors;
 * I/O failures are wrapped with the original as the cause.
 */
public final class NpyException extends RuntimeException {
    private final transient Path file;

    public NpyException(Path file, String problem) {
        this(file, problem, null);
    }

    public NpyException(Path file, String problem, Throwable cause) {
        super((file == null ? "<npy>" : file.toString()) + ": " + problem, cause);
        this.file = file;
    }

    /** The file concerned. */
    public Path file() { return file; }
}
