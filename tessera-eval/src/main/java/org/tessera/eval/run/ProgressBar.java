package org.tessera.eval.run;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar with rate and ETA on stderr, redrawn in place: {@code [#####.....] 12/100 3.4 s/q ETA 5m02s}.
 * Silent unless enabled (the CLI enables it only when stderr is a terminal). The rate counts only questions answered
 * in this session, so a resumed run does not look faster than it is.
 */
public final class ProgressBar {
    private static final int WIDTH = 30;
    private final PrintStream out;
    private final boolean enabled;
    private final String label;
    private int total, done, startDone;
    private long start;
    private boolean shown;

    public ProgressBar(PrintStream out, boolean enabled, String label) {
        this.out = out;
        this.enabled = enabled;
        this.label = label;
    }

    /** A bar that prints nothing. */
    public static ProgressBar silent() {
        return new ProgressBar(System.err, false, "");
    }

    public void start(int total, int alreadyDone) {
        this.total = total;
        this.done = alreadyDone;
        this.startDone = alreadyDone;
        this.start = System.nanoTime();
        draw();
    }

    public void step() {
        done++;
        draw();
    }

    public void finish() {
        if (enabled && shown) {
            out.print("\r\033[K");
            out.flush();
            shown = false;
        }
    }

    /** The text of the bar now (for tests and for drawing). */
    public String line() {
        int filled = total == 0 ? WIDTH : (int) ((long) WIDTH * done / total);
        StringBuilder b = new StringBuilder();
        if (!label.isEmpty()) b.append(label).append(' ');
        b.append('[').append("#".repeat(filled)).append(".".repeat(WIDTH - filled)).append("] ").append(done).append('/').append(total);
        int fresh = done - startDone;
        if (fresh > 0) {
            double secs = (System.nanoTime() - start) / 1e9;
            double per = secs / fresh;
            b.append(String.format(Locale.ROOT, " %.1f s/q ETA %s", per, duration(per * (total - done))));
        }
        return b.toString();
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s < 60) return s + "s";
        if (s < 3600) return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
    }

    private void draw() {
        if (!enabled) return;
        out.print("\r\033[K" + line());
        out.flush();
        shown = true;
    }
}
