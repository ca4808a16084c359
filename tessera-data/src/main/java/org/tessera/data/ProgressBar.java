package org.tessera.data;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar on stderr ({@code [#####     ] 120/400  3.1/s  ETA 1:30}), redrawn at most ten times a
 * second and erased at the end. Silent when disabled (stderr is not a terminal), so logs and pipes stay clean.
 */
public final class ProgressBar implements AutoCloseable {
    private static final int WIDTH = 30;
    private final PrintStream err;
    private final boolean enabled;
    private final String label;
    private final long total;
    private final long start = System.nanoTime();
    private final long base;
    private long lastDraw;
    private boolean shown;

    /**
     * @param total number of steps, or 0 when unknown
     * @param base  steps already done before this run (a resumed run), not counted in the rate
     */
    public ProgressBar(PrintStream err, boolean enabled, String label, long total, long base) {
        this.err = err;
        this.enabled = enabled;
        this.label = label;
        this.total = total;
        this.base = base;
    }

    /** True when the JVM's console is an interactive terminal. */
    public static boolean terminal() {
        java.io.Console c = System.console();
        return c != null && c.isTerminal();
    }

    /** The line for {@code done} steps at {@code elapsedNanos} (for tests). */
    String render(long done, long elapsedNanos) {
        StringBuilder sb = new StringBuilder(label).append(' ');
        if (total > 0) {
            int fill = (int) Math.min(WIDTH, done * WIDTH / total);
            sb.append('[').append("#".repeat(fill)).append(" ".repeat(WIDTH - fill)).append("] ");
        }
        sb.append(done);
        if (total > 0) sb.append('/').append(total);
        double s = elapsedNanos / 1e9;
        long fresh = done - base;
        if (s > 0.5 && fresh > 0) {
            double rate = fresh / s;
            sb.append(String.format(Locale.ROOT, "  %.2f/s", rate));
            if (total > 0 && done < total) {
                long eta = Math.round((total - done) / rate);
                sb.append(String.format(Locale.ROOT, "  ETA %d:%02d:%02d", eta / 3600, eta / 60 % 60, eta % 60));
            }
        }
        return sb.toString();
    }

    /** Shows {@code done} steps (thread-safe). */
    public synchronized void update(long done) {
        if (!enabled) return;
        long now = System.nanoTime();
        if (shown && now - lastDraw < 100_000_000L && done < total) return;
        lastDraw = now;
        err.print("\r\033[K" + render(done, now - start));
        err.flush();
        shown = true;
    }

    /** Erases the line. */
    @Override
    public synchronized void close() {
        if (enabled && shown) {
            err.print("\r\033[K");
            err.flush();
            shown = false;
        }
    }
}
