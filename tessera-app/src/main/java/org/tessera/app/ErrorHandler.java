package org.tessera.app;

import picocli.CommandLine;

/**
 * Turns an exception escaping a command into one line on stderr and exit code 1. The stack trace is
 * printed only when {@code TESSERA_DEBUG} is set, because users should see what went wrong with
 * their input, not our call stack.
 */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parsed) {
        String msg = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
        cl.getErr().println("tessera: " + msg);
        if (System.getenv("TESSERA_DEBUG") != null) {
            ex.printStackTrace(cl.getErr());
        }
        return 1;
    }
}
