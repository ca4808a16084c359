package org.tessera.data;

/** What a run does with a bad input row: stop with its place named, or report it and go on without it. */
public enum OnError {
    /** The first bad row stops the run; nothing is written. */
    FAIL,
    /** Bad rows are reported (stderr and a rejected-rows file) and left out; the run goes on. */
    SKIP
}
