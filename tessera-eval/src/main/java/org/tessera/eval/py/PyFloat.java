package org.tessera.eval.py;

import java.math.BigDecimal;

/**
 * Python 3's {@code float(str)} and {@code repr(float)}, which ChartQA's relaxed accuracy and the Python-literal
 * answers depend on.
 *
 * <p>{@code float()} accepts surrounding whitespace, a sign, decimal digits with single underscores between digits,
 * an optional fraction and exponent, and {@code inf}, {@code infinity}, {@code nan} in any case. Any Unicode decimal
 * digit counts as a digit ({@code float('１２') == 12.0}) and any Unicode whitespace counts as space, as CPython maps
 * them to ASCII first. It rejects what Java's {@link Double#parseDouble} would take: hex, {@code d}/{@code f}
 * suffixes, {@code Infinity} spelled with other suffixes, bare {@code .}, ASCII separators U+001C..U+001F.
 */
public final class PyFloat {
    private PyFloat() {}

    /** {@code float(text)}, or null where Python raises ValueError. */
    public static Double parse(String text) {
        // 1. CPython's _PyUnicode_TransformDecimalAndSpaceToASCII: non-ASCII whitespace -> ' ', non-ASCII decimal
        //    digits -> their ASCII digit, anything else non-ASCII -> failure.
        StringBuilder b = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (cp < 128) {
                b.append((char) cp);
            } else if (PyStr.isSpace(cp)) {
                b.append(' ');
            } else if (Character.getType(cp) == Character.DECIMAL_DIGIT_NUMBER) {
                b.append((char) ('0' + Character.digit(cp, 10)));
            } else {
                return null;
            }
        }
        String s = b.toString();
        // 2. Underscores: only between two digits; then removed.
        if (s.indexOf('_') >= 0) {
            StringBuilder d = new StringBuilder(s.length());
            char prev = 0;
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '_') {
                    if (!isDigit(prev)) return null;
                } else {
                    if (prev == '_' && !isDigit(c)) return null;
                    d.append(c);
                }
                prev = c;
            }
            if (prev == '_') return null;
            s = d.toString();
        }
        // 3. Strip ASCII whitespace (Py_ISSPACE: \t \n \v \f \r and space), then the whole rest must be a number.
        int from = 0, to = s.length();
        while (from < to && asciiSpace(s.charAt(from))) from++;
        while (to > from && asciiSpace(s.charAt(to - 1))) to--;
        if (from == to) return null;
        return number(s.substring(from, to));
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean asciiSpace(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }

    /** [sign] (digits [. digits?] | . digits) [(e|E) [sign] digits], or [sign] inf / infinity / nan. */
    private static Double number(String s) {
        int i = 0, n = s.length();
        boolean negative = false;
        if (s.charAt(0) == '+' || s.charAt(0) == '-') {
            negative = s.charAt(0) == '-';
            i = 1;
        }
        String rest = s.substring(i);
        if (rest.equalsIgnoreCase("inf") || rest.equalsIgnoreCase("infinity")) {
            return negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        if (rest.equalsIgnoreCase("nan")) return Double.NaN; // the sign of a NaN is invisible to the metrics
        int digits = 0;
        while (i < n && isDigit(s.charAt(i))) { i++; digits++; }
        if (i < n && s.charAt(i) == '.') {
            i++;
            while (i < n && isDigit(s.charAt(i))) { i++; digits++; }
        }
        if (digits == 0) return null;
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) i++;
            int exp = 0;
            while (i < n && isDigit(s.charAt(i))) { i++; exp++; }
            if (exp == 0) return null;
        }
        if (i != n) return null;
        // What remains is a plain decimal literal, which Java rounds correctly just as Python does.
        return Double.parseDouble(s);
    }

    /** {@code repr(x)} (also {@code str(x)}): the shortest round-tripping digits, Python's layout. */
    public static String repr(double x) {
        if (Double.isNaN(x)) return "nan";
        if (Double.isInfinite(x)) return x > 0 ? "inf" : "-inf";
        if (x == 0) return (1 / x < 0) ? "-0.0" : "0.0";
        // Java's Double.toString gives the shortest decimal that rounds back (JDK 19+), as Python's repr does.
        BigDecimal d = new BigDecimal(Double.toString(Math.abs(x))).stripTrailingZeros();
        if (d.precision() == 2) {
            // Java prints two digits where one would do (Double.MIN_VALUE is "4.9E-324"); Python prints one ("5e-324").
            BigDecimal one = d.round(new java.math.MathContext(1, java.math.RoundingMode.HALF_EVEN));
            if (Double.parseDouble(one.toString()) == Math.abs(x)) d = one.stripTrailingZeros();
        }
        String digits = d.unscaledValue().toString();
        int decpt = digits.length() - d.scale(); // x = 0.DIGITS * 10^decpt
        StringBuilder out = new StringBuilder();
        if (x < 0) out.append('-');
        if (decpt > -4 && decpt <= 16) {
            if (decpt <= 0) {
                out.append("0.").append("0".repeat(-decpt)).append(digits);
            } else if (decpt >= digits.length()) {
                out.append(digits).append("0".repeat(decpt - digits.length())).append(".0");
            } else {
                out.append(digits, 0, decpt).append('.').append(digits, decpt, digits.length());
            }
        } else {
            out.append(digits.charAt(0));
            if (digits.length() > 1) out.append('.').append(digits, 1, digits.length());
            int e = decpt - 1;
            out.append('e').append(e < 0 ? '-' : '+');
            String es = Integer.toString(Math.abs(e));
            if (es.length() < 2) out.append('0');
            out.append(es);
        }
        return out.toString();
    }
}
