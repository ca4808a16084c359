package org.tessera.server;

/**
 * Trims a text that arrives in pieces as the final answer is trimmed (Python's {@code str.strip()}, what
 * {@code chat()} returns): whitespace before the first other character is dropped, and whitespace is held back
 * until something else follows it, so the pieces passed on join to exactly the trimmed answer.
 */
final class Trimmer {
    private final StringBuilder held = new StringBuilder();
    private boolean started;

    /** The part of {@code piece} that can be sent now (possibly empty). */
    String push(String piece) {
        StringBuilder out = new StringBuilder(piece.length() + held.length());
        for (int i = 0; i < piece.length(); i++) {
            char c = piece.charAt(i);
            if (isPythonSpace(c)) {
                if (started) held.append(c);
            } else {
                started = true;
                out.append(held).append(c);
                held.setLength(0);
            }
        }
        return out.toString();
    }

    /** Python's {@code str.isspace()} characters, as {@code ChatTemplate} strips them. */
    static boolean isPythonSpace(char c) {
        return (c >= '\t' && c <= '\r') || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 || c == 0x1680
                || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F
                || c == 0x3000;
    }
}
