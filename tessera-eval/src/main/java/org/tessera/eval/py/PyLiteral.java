package org.tessera.eval.py;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * Python literals as VLMEvalKit {@code eval()}s them from TSV cells: answer lists ({@code "['7', 'seven']"}),
 * image lists. Supports strings (single, double, triple quoted; r/u prefixes; every escape; adjacent literals
 * joined), ints (with underscores, 0x/0o/0b), floats, True/False/None, unary signs, lists and tuples. Anything else
 * (names, calls, operators) is rejected, where Python's {@code eval} would raise or run code.
 */
public final class PyLiteral {
    /** Python's {@code None}. */
    public enum None { NONE }

    /** A Python tuple (its {@code str()} differs from a list's). */
    public record Tuple(List<Object> items) {}

    private final String s;
    private int i;

    private PyLiteral(String s) {
        this.s = s;
    }

    /** The value of the literal {@code text}; IllegalArgumentException when it is not one. */
    public static Object parse(String text) {
        PyLiteral p = new PyLiteral(text);
        p.skipSpace();
        Object v = p.value();
        p.skipSpace();
        if (p.i != text.length()) throw p.error("unexpected text");
        return v;
    }

    /**
     * VLMEvalKit's {@code istype(x, list)} followed by {@code eval(x)}: the elements, each as Python's {@code str()}
     * prints it, when {@code text} is a list literal; otherwise null.
     */
    public static List<String> stringList(String text) {
        Object v;
        try {
            v = parse(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (!(v instanceof List<?> l)) return null;
        List<String> out = new ArrayList<>(l.size());
        for (Object o : l) out.add(str(o));
        return out;
    }

    /** Python's {@code str(v)}. */
    public static String str(Object v) {
        return v instanceof String t ? t : repr(v);
    }

    /** Python's {@code repr(v)}. */
    public static String repr(Object v) {
        if (v instanceof String t) return reprString(t);
        if (v instanceof Double d) return PyFloat.repr(d);
        if (v instanceof BigInteger b) return b.toString();
        if (v instanceof Boolean b) return b ? "True" : "False";
        if (v == None.NONE) return "None";
        if (v instanceof List<?> l) {
            StringBuilder b = new StringBuilder("[");
            for (int k = 0; k < l.size(); k++) b.append(k > 0 ? ", " : "").append(repr(l.get(k)));
            return b.append(']').toString();
        }
        if (v instanceof Tuple t) {
            StringBuilder b = new StringBuilder("(");
            for (int k = 0; k < t.items().size(); k++) b.append(k > 0 ? ", " : "").append(repr(t.items().get(k)));
            if (t.items().size() == 1) b.append(',');
            return b.append(')').toString();
        }
        throw new IllegalArgumentException("not a Python value: " + v);
    }

    private static String reprString(String t) {
        char q = t.indexOf('\'') >= 0 && t.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder b = new StringBuilder().append(q);
        t.codePoints().forEach(cp -> {
            if (cp == q || cp == '\\') b.append('\\').appendCodePoint(cp);
            else if (cp == '\n') b.append("\\n");
            else if (cp == '\r') b.append("\\r");
            else if (cp == '\t') b.append("\\t");
            else if (printable(cp)) b.appendCodePoint(cp);
            else if (cp < 0x100) b.append(String.format("\\x%02x", cp));
            else if (cp < 0x10000) b.append(String.format("\\u%04x", cp));
            else b.append(String.format("\\U%08x", cp));
        });
        return b.append(q).toString();
    }

    /** Python's {@code str.isprintable()} for one code point: not Other (C*), not Separator (Z*) except space. */
    private static boolean printable(int cp) {
        if (cp == ' ') return true;
        return switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE, Character.UNASSIGNED,
                 Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR, Character.SPACE_SEPARATOR -> false;
            default -> true;
        };
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException("not a Python literal (" + what + " at offset " + i + ")");
    }

    private void skipSpace() {
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t' || s.charAt(i) == '\n' || s.charAt(i) == '\r'
                || s.charAt(i) == '\f')) i++;
    }

    private Object value() {
        if (i >= s.length()) throw error("end of text");
        char c = s.charAt(i);
        if (c == '[') return sequence(']');
        if (c == '(') {
            Object v = sequence(')');
            return v;
        }
        if (c == '+' || c == '-') {
            i++;
            skipSpace();
            Object v = value();
            if (v instanceof BigInteger b) return c == '-' ? b.negate() : b;
            if (v instanceof Double d) return c == '-' ? -d : d;
            if (v instanceof Boolean b) return BigInteger.valueOf((c == '-' ? -1 : 1) * (b ? 1 : 0));
            throw error("sign before a non-number");
        }
        if (c == '\'' || c == '"') return strings();
        if (Character.isLetter(c)) {
            int start = i;
            while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) i++;
            String word = s.substring(start, i);
            if (i < s.length() && (s.charAt(i) == '\'' || s.charAt(i) == '"')) {
                String prefix = word.toLowerCase(java.util.Locale.ROOT);
                if (prefix.equals("r") || prefix.equals("u")) {
                    i = start;
                    return strings();
                }
                throw error("string prefix '" + word + "'");
            }
            return switch (word) {
                case "True" -> Boolean.TRUE;
                case "False" -> Boolean.FALSE;
                case "None" -> None.NONE;
                default -> throw error("name '" + word + "'");
            };
        }
        if (Character.isDigit(c) || c == '.') return number();
        throw error("unexpected '" + c + "'");
    }

    private Object sequence(char close) {
        i++; // the opening bracket
        List<Object> items = new ArrayList<>();
        boolean comma = false;
        skipSpace();
        while (true) {
            if (i >= s.length()) throw error("unclosed bracket");
            if (s.charAt(i) == close) {
                i++;
                break;
            }
            items.add(value());
            skipSpace();
            comma = false;
            if (i < s.length() && s.charAt(i) == ',') {
                i++;
                comma = true;
                skipSpace();
            } else if (i < s.length() && s.charAt(i) != close) {
                throw error("expected ',' or '" + close + "'");
            }
        }
        if (close == ')') {
            if (items.size() == 1 && !comma) return items.get(0); // (x) is just x
            return new Tuple(items);
        }
        return items;
    }

    /** One or more adjacent string literals, joined. */
    private String strings() {
        StringBuilder out = new StringBuilder();
        do {
            out.append(string());
            skipSpace();
        } while (i < s.length() && (s.charAt(i) == '\'' || s.charAt(i) == '"'
                || ((s.charAt(i) == 'r' || s.charAt(i) == 'R' || s.charAt(i) == 'u' || s.charAt(i) == 'U')
                && i + 1 < s.length() && (s.charAt(i + 1) == '\'' || s.charAt(i + 1) == '"'))));
        return out.toString();
    }

    private String string() {
        boolean raw = false;
        while (s.charAt(i) != '\'' && s.charAt(i) != '"') {
            if (s.charAt(i) == 'r' || s.charAt(i) == 'R') raw = true;
            i++;
        }
        char q = s.charAt(i);
        boolean triple = s.startsWith(String.valueOf(q).repeat(3), i);
        i += triple ? 3 : 1;
        StringBuilder b = new StringBuilder();
        while (true) {
            if (i >= s.length()) throw error("unterminated string");
            char c = s.charAt(i);
            if (c == q && (!triple || s.startsWith(String.valueOf(q).repeat(3), i))) {
                i += triple ? 3 : 1;
                return b.toString();
            }
            if (!triple && c == '\n') throw error("newline in a string");
            if (c != '\\') {
                b.append(c);
                i++;
                continue;
            }
            if (i + 1 >= s.length()) throw error("unterminated string");
            char e = s.charAt(i + 1);
            if (raw) { // a raw string keeps the backslash; it still cannot end on an escaped quote
                b.append(c).append(e);
                i += 2;
                continue;
            }
            i += 2;
            switch (e) {
                case '\n' -> { }
                case '\\' -> b.append('\\');
                case '\'' -> b.append('\'');
                case '"' -> b.append('"');
                case 'a' -> b.append('\u0007');
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'v' -> b.append('\u000B');
                case 'x' -> b.appendCodePoint(hex(2));
                case 'u' -> b.appendCodePoint(hex(4));
                case 'U' -> b.appendCodePoint(hex(8));
                case 'N' -> {
                    int end = s.indexOf('}', i);
                    if (i >= s.length() || s.charAt(i) != '{' || end < 0) throw error("bad \\N escape");
                    try {
                        b.appendCodePoint(Character.codePointOf(s.substring(i + 1, end)));
                    } catch (IllegalArgumentException ex) {
                        throw error("unknown character name");
                    }
                    i = end + 1;
                }
                default -> {
                    if (e >= '0' && e <= '7') {
                        int v = e - '0', k = 1;
                        while (k < 3 && i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '7') {
                            v = v * 8 + (s.charAt(i++) - '0');
                            k++;
                        }
                        b.appendCodePoint(v);
                    } else {
                        b.append('\\').append(e); // unknown escapes keep their backslash
                    }
                }
            }
        }
    }

    private int hex(int digits) {
        if (i + digits > s.length()) throw error("truncated escape");
        int v;
        try {
            v = Integer.parseUnsignedInt(s.substring(i, i + digits), 16);
        } catch (NumberFormatException ex) {
            throw error("bad escape");
        }
        if (v > Character.MAX_CODE_POINT) throw error("escape out of range");
        i += digits;
        return v;
    }

    private Object number() {
        int start = i;
        if (s.startsWith("0x", i) || s.startsWith("0X", i) || s.startsWith("0o", i) || s.startsWith("0O", i)
                || s.startsWith("0b", i) || s.startsWith("0B", i)) {
            int radix = switch (Character.toLowerCase(s.charAt(i + 1))) { case 'x' -> 16; case 'o' -> 8; default -> 2; };
            i += 2;
            int from = i;
            while (i < s.length() && (Character.digit(s.charAt(i), radix) >= 0 || s.charAt(i) == '_')) i++;
            String body = s.substring(from, i).replace("_", "");
            if (body.isEmpty()) throw error("bad number");
            return new BigInteger(body, radix);
        }
        while (i < s.length() && (isAsciiDigit(s.charAt(i)) || s.charAt(i) == '_' || s.charAt(i) == '.'
                || s.charAt(i) == 'e' || s.charAt(i) == 'E'
                || ((s.charAt(i) == '+' || s.charAt(i) == '-') && (s.charAt(i - 1) == 'e' || s.charAt(i - 1) == 'E')))) i++;
        String lit = s.substring(start, i);
        if (lit.contains("__") || lit.startsWith("_") || lit.endsWith("_")) throw error("bad number");
        String plain = lit.replace("_", "");
        boolean isFloat = plain.contains(".") || plain.contains("e") || plain.contains("E");
        if (!isFloat) {
            if (plain.length() > 1 && plain.charAt(0) == '0' && !plain.chars().allMatch(ch -> ch == '0')) {
                throw error("leading zeros in a decimal integer");
            }
            return new BigInteger(plain);
        }
        Double d = PyFloat.parse(plain);
        if (d == null) throw error("bad number");
        return d;
    }

    private static boolean isAsciiDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
