package org.tessera.eval.py;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Python 3 {@code str} methods that VLMEvalKit's metrics rely on, with Python's semantics rather than Java's: lengths
 * count code points (not UTF-16 units), {@code strip()} and {@code split()} use Python's whitespace set (which
 * includes U+00A0 and U+202F and the ASCII separators U+001C..U+001F, unlike {@link Character#isWhitespace}), and
 * case mapping is the full Unicode mapping ({@code 'ß'.upper() == 'SS'}).
 */
public final class PyStr {
    private PyStr() {}

    /** Python's {@code str.isspace()} for one code point (CPython's {@code _PyUnicode_IsWhitespace} table). */
    public static boolean isSpace(int cp) {
        return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20) || cp == 0x85 || cp == 0xA0 || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F
                || cp == 0x3000;
    }

    /** A Java regex character class matching exactly Python's whitespace (what {@code \s} matches in a str pattern). */
    public static final String SPACE_CLASS = "[\\x09-\\x0D\\x1C-\\x20\\x85\\xA0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]";

    /** {@code s.strip()}. */
    public static String strip(String s) {
        int b = 0, e = s.length();
        while (b < e) {
            int cp = s.codePointAt(b);
            if (!isSpace(cp)) break;
            b += Character.charCount(cp);
        }
        while (e > b) {
            int cp = s.codePointBefore(e);
            if (!isSpace(cp)) break;
            e -= Character.charCount(cp);
        }
        return s.substring(b, e);
    }

    /** {@code s.split()}: runs of whitespace separate, empty pieces are dropped. */
    public static List<String> split(String s) {
        List<String> out = new ArrayList<>();
        int i = 0, n = s.length();
        while (i < n) {
            while (i < n && isSpace(s.codePointAt(i))) i += Character.charCount(s.codePointAt(i));
            if (i >= n) break;
            int start = i;
            while (i < n && !isSpace(s.codePointAt(i))) i += Character.charCount(s.codePointAt(i));
            out.add(s.substring(start, i));
        }
        return out;
    }

    /** {@code ' '.join(s.split())}: whitespace runs collapsed to one space, ends trimmed. */
    public static String collapseSpaces(String s) {
        return String.join(" ", split(s));
    }

    /** {@code s.lower()}: full Unicode lower-casing, final sigma included. */
    public static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    /** {@code s.upper()}: full Unicode upper-casing ({@code 'ß'} becomes {@code 'SS'}). */
    public static String upper(String s) {
        return s.toUpperCase(Locale.ROOT);
    }

    /** {@code len(s)}: code points. */
    public static int len(String s) {
        return s.codePointCount(0, s.length());
    }

    /** {@code s.rstrip(chars)} for a set of BMP characters. */
    public static String rstrip(String s, String chars) {
        int e = s.length();
        while (e > 0 && chars.indexOf(s.charAt(e - 1)) >= 0) e--;
        return s.substring(0, e);
    }

    /** {@code len(s) > 1 and s[0] == first and s[-1] == last}. */
    public static boolean startsAndEndsWith(String s, char first, char last) {
        return s.length() > 1 && s.charAt(0) == first && s.charAt(s.length() - 1) == last;
    }
}
