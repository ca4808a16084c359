package org.tessera.eval.data;

import java.nio.file.Path;

/** A row that cannot be used, with where it is and why. */
public record RowProblem(Path file, int line, String index, String message) {
    @Override
    public String toString() {
        return file.getFileName() + ":" + line + (index == null ? "" : " (index " + index + ")") + ": " + message;
    }
}
