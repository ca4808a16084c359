package org.tessera.app;

import java.io.PrintStream;
import java.util.Locale;
import org.tessera.api.GenerationListener;

/**
 * The progress line of ask and chat on stderr: encoder layers over the image tiles, then prompt tokens with their
 * rate, rewritten in place and erased when the answer starts. Silent unless stderr is a terminal, so scripts and
 * pipes see only the answer.
 */
final class Progress {
    private final PrintStream err;
    private final boolean enabled;
    private long promptStart;
    private int promptFrom;
    private boolean shown;

    Progress(PrintStream err, boolean enabled) {
        this.err = err;
        this.enabled = enabled;
    }

    /** Enabled when the JVM's console is an interactive terminal. */
    static boolean terminal() {
        java.io.Console c = System.console();
        return c != null && c.isTerminal();
    }

    void vision(int tiles, int done, int layers) {
        show(String.format(Locale.ROOT, "encoding %d tile%s: layer %d/%d", tiles, tiles == 1 ? "" : "s", done, layers));
    }

    void prompt(int done, int total) {
        long now = System.nanoTime();
        if (promptStart == 0) {
            promptStart = now;
            promptFrom = done;
        }
        double s = (now - promptStart) / 1e9;
        show(String.format(Locale.ROOT, "prompt %d/%d tokens%s", done, total,
                s > 0.05 ? String.format(Locale.ROOT, " (%.0f tokens/s)", (done - promptFrom) / s) : ""));
    }

    void clear() {
        if (enabled && shown) {
            err.print("\r\033[K");
            err.flush();
            shown = false;
        }
        promptStart = 0;
    }

    private void show(String line) {
        if (!enabled) return;
        err.print("\r\033[K" + line);
        err.flush();
        shown = true;
    }

    /**
     * Prints answer pieces as they come, flushing each. The reference strips the finished answer, so whitespace
     * before its first visible character is held back (and dropped).
     */
    static java.util.function.Consumer<String> answerPrinter(java.io.PrintWriter out) {
        boolean[] started = {false};
        return piece -> {
            String p = started[0] ? piece : piece.stripLeading();
            if (p.isEmpty()) return;
            started[0] = true;
            out.print(p);
            out.flush();
        };
    }

    /** A listener that shows progress and streams text to {@code onText} (clearing the line first). */
    GenerationListener listener(java.util.function.Consumer<String> onText) {
        return new GenerationListener() {
            @Override public void onVision(int tiles, int done, int layers) { vision(tiles, done, layers); }

            @Override public void onPrompt(int done, int total) { prompt(done, total); }

            @Override
            public void onText(String piece) {
                clear();
                onText.accept(piece);
            }
        };
    }
}
