package org.tessera.data;

/** A problem with the user's data or files, said in one line that names the place (file, line, row). */
public class DataException extends RuntimeException {
    public DataException(String message) {
        super(message);
    }

    public DataException(String message, Throwable cause) {
        super(message, cause);
    }
}
