package org.tessera.synth;

import java.util.Locale;

/**
 * Every knob of a generation run. Build with {@link #builder(Preset)}: the preset gives the defaults, the setters
 * override them, {@link Builder#build()} checks them and says which one is wrong and why.
 *
 * @param kind              what the images show (MIXED: one of the four per sample)
 * @param count             training images
 * @param testCount         held-out test images
 * @param seed              the run's seed; with kind and the knobs it fixes every byte of the output
 * @param minSize           smallest longer side of an image, px
 * @param maxSize           largest longer side of an image, px
 * @param minTextPx         smallest cap height (height of a capital or digit) of any text drawn, px
 * @param maxTextPx         largest cap height of any text drawn, px
 * @param vocab             which answers questions may have
 * @param questionsPerImage question-answer pairs per image
 * @param maxRotation       the page is turned by up to this many degrees either way
 * @param noise             0..1: paper shading, specks and stains
 * @param preset            the preset the defaults came from (EASY also simplifies layouts)
 * @param threads           rendering threads (the output does not depend on it)
 * @param writeLayout       also write every drawn string with its box ({split}_layout.jsonl)
 * @param name              the data set's name in meta.json
 */
public record SynthOptions(Kind kind, int count, int testCount, long seed, int minSize, int maxSize, double minTextPx,
                           double maxTextPx, Vocab vocab, int questionsPerImage, double maxRotation, double noise,
                           Preset preset, int threads, boolean writeLayout, String name) {

    public static final int MAX_COUNT = 10_000_000;
    public static final int MIN_SIZE = 256;
    public static final int MAX_SIZE = 8192;
    public static final double MIN_TEXT_PX = 4;
    public static final double MAX_TEXT_PX = 256;

    public boolean easy() {
        return preset == Preset.EASY;
    }

    public static Builder builder(Preset preset) {
        return new Builder(preset);
    }

    public static Builder builder() {
        return new Builder(Preset.FULL);
    }

    /** The data set's default name: synth_{kind}, with _easy for the easy preset. */
    public static String defaultName(Kind kind, Preset preset) {
        return "synth_" + kind.label() + (preset == Preset.EASY ? "_easy" : "");
    }

    public static final class Builder {
        private final Preset preset;
        private Kind kind;
        private int count = 100;
        private Integer testCount;
        private long seed;
        private int minSize;
        private int maxSize;
        private double minTextPx;
        private double maxTextPx;
        private Vocab vocab;
        private int questionsPerImage;
        private double maxRotation;
        private double noise;
        private int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        private boolean writeLayout;
        private String name;

        private Builder(Preset preset) {
            this.preset = preset;
            kind = preset.kind;
            minSize = preset.minSize;
            maxSize = preset.maxSize;
            minTextPx = preset.minTextPx;
            maxTextPx = preset.maxTextPx;
            vocab = preset.vocab;
            questionsPerImage = preset.questionsPerImage;
            maxRotation = preset.maxRotation;
            noise = preset.noise;
        }

        public Builder kind(Kind v) { kind = v; return this; }
        public Builder count(int v) { count = v; return this; }
        /** Default: a tenth of the training count, rounded up. */
        public Builder testCount(int v) { testCount = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder minSize(int v) { minSize = v; return this; }
        public Builder maxSize(int v) { maxSize = v; return this; }
        public Builder minTextPx(double v) { minTextPx = v; return this; }
        public Builder maxTextPx(double v) { maxTextPx = v; return this; }
        public Builder vocab(Vocab v) { vocab = v; return this; }
        public Builder questionsPerImage(int v) { questionsPerImage = v; return this; }
        public Builder maxRotation(double v) { maxRotation = v; return this; }
        public Builder noise(double v) { noise = v; return this; }
        public Builder threads(int v) { threads = v; return this; }
        public Builder writeLayout(boolean v) { writeLayout = v; return this; }
        public Builder name(String v) { name = v; return this; }

        public SynthOptions build() {
            int tc = testCount != null ? testCount : (count + 9) / 10;
            check(count >= 1 && count <= MAX_COUNT, "--count must be between 1 and " + MAX_COUNT + ", got " + count);
            check(tc >= 0 && tc <= MAX_COUNT, "--test-count must be between 0 and " + MAX_COUNT + ", got " + tc);
            check(minSize >= MIN_SIZE && minSize <= MAX_SIZE, "--min-size must be between " + MIN_SIZE + " and " + MAX_SIZE + " px, got " + minSize);
            check(maxSize >= MIN_SIZE && maxSize <= MAX_SIZE, "--max-size must be between " + MIN_SIZE + " and " + MAX_SIZE + " px, got " + maxSize);
            check(minSize <= maxSize, "--min-size (" + minSize + ") is larger than --max-size (" + maxSize + ")");
            check(Double.isFinite(minTextPx) && minTextPx >= MIN_TEXT_PX && minTextPx <= MAX_TEXT_PX,
                    "--min-text-px must be between " + fmt(MIN_TEXT_PX) + " and " + fmt(MAX_TEXT_PX) + ", got " + fmt(minTextPx));
            check(Double.isFinite(maxTextPx) && maxTextPx >= MIN_TEXT_PX && maxTextPx <= MAX_TEXT_PX,
                    "--max-text-px must be between " + fmt(MIN_TEXT_PX) + " and " + fmt(MAX_TEXT_PX) + ", got " + fmt(maxTextPx));
            check(minTextPx <= maxTextPx, "--min-text-px (" + fmt(minTextPx) + ") is larger than --max-text-px (" + fmt(maxTextPx) + ")");
            double limit = minSize / 32.0;
            check(minTextPx <= limit, "--min-text-px " + fmt(minTextPx) + " does not fit pages of " + minSize
                    + " px: text must be at most 1/32 of the smallest page (" + fmt(limit) + " px); raise --min-size or lower --min-text-px");
            check(questionsPerImage >= 1 && questionsPerImage <= 10, "--questions-per-image must be between 1 and 10, got " + questionsPerImage);
            check(Double.isFinite(maxRotation) && maxRotation >= 0 && maxRotation <= 10, "--rotation must be between 0 and 10 degrees, got " + fmt(maxRotation));
            check(Double.isFinite(noise) && noise >= 0 && noise <= 1, "--noise must be between 0 and 1, got " + fmt(noise));
            check(threads >= 1 && threads <= 256, "--threads must be between 1 and 256, got " + threads);
            check(kind != null && vocab != null, "kind and vocab must be set");
            String n = name != null ? name : defaultName(kind, preset);
            check(n.matches("[A-Za-z0-9_.-]{1,100}"), "--name may hold letters, digits, _ . - (at most 100), got '" + n + "'");
            return new SynthOptions(kind, count, tc, seed, minSize, maxSize, minTextPx, maxTextPx, vocab, questionsPerImage,
                    maxRotation, noise, preset, threads, writeLayout, n);
        }

        private static void check(boolean ok, String message) {
            if (!ok) throw new IllegalArgumentException(message);
        }
    }

    static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.2f", v);
    }
}
