package org.tessera.eval.data;

/** What to do with a malformed row or a row the model cannot run: stop with an error, or skip it and report it. */
public enum OnError {
    FAIL, SKIP
}
