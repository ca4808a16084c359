package org.tessera.synth;

import java.util.Locale;

/**
 * Starting points for the knobs. FULL is the full difficulty (every kind, pages up to 2400 px, text down to 6 px cap
 * height, word answers); EASY is what a tiny model trained for a few CPU hours can learn: receipts of at most 1024 px
 * with a big bold total, larger text, numeric answers, one phrasing per question, plain layouts.
 */
public enum Preset {
    FULL(Kind.MIXED, 448, 2400, 6, 48, Vocab.WORDS, 3, 1.5, 0.5),
    EASY(Kind.RECEIPTS, 448, 1024, 9, 40, Vocab.DIGITS, 2, 0.5, 0.2);

    final Kind kind;
    final int minSize;
    final int maxSize;
    final double minTextPx;
    final double maxTextPx;
    final Vocab vocab;
    final int questionsPerImage;
    final double maxRotation;
    final double noise;

    Preset(Kind kind, int minSize, int maxSize, double minTextPx, double maxTextPx, Vocab vocab, int questionsPerImage,
           double maxRotation, double noise) {
        this.kind = kind;
        this.minSize = minSize;
        this.maxSize = maxSize;
        this.minTextPx = minTextPx;
        this.maxTextPx = maxTextPx;
        this.vocab = vocab;
        this.questionsPerImage = questionsPerImage;
        this.maxRotation = maxRotation;
        this.noise = noise;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Preset parse(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "full" -> FULL;
            case "easy" -> EASY;
            default -> throw new IllegalArgumentException("unknown preset '" + s + "': expected full or easy");
        };
    }
}
