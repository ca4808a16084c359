package org.tessera.synth;

import java.util.Locale;

/**
 * What the answers may be. DIGITS: only questions whose answer is a number (digits with . , - / : % $), the easiest
 * thing for a small model to emit; WORDS: numbers and short phrases (names, headings, titles).
 */
public enum Vocab {
    DIGITS, WORDS;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Vocab parse(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "digits" -> DIGITS;
            case "words" -> WORDS;
            default -> throw new IllegalArgumentException("unknown vocab '" + s + "': expected digits or words");
        };
    }

    /** Whether an answer counts as numeric: at least one digit and nothing but digits and . , - / : % $. */
    public static boolean isNumeric(String answer) {
        boolean digit = false;
        for (int i = 0; i < answer.length(); i++) {
            char c = answer.charAt(i);
            if (c >= '0' && c <= '9') digit = true;
            else if (".,-/:%$".indexOf(c) < 0) return false;
        }
        return digit;
    }
}
