package org.tessera.model.text;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Cuts added tokens out of a text, the way Hugging Face {@code tokenizers}' {@code AddedVocabulary::find_matches}
 * does it:
 * <ul>
 *   <li>matches are leftmost-longest and non-overlapping (its Aho-Corasick automaton is built with
 *       {@code MatchKind::LeftmostLongest}): scanning left to right, at the first position where any token matches,
 *       the longest token wins, and scanning resumes after it;</li>
 *   <li>a {@code single_word} token whose match touches a word character ({@code \w}) on either side is dropped, but
 *       the scan still resumes after it (the automaton never revisits a match's span);</li>
 *   <li>{@code lstrip} extends the match leftwards over whitespace, never into the previous match; {@code rstrip}
 *       extends it rightwards over whitespace. The swallowed whitespace disappears from the output.</li>
 * </ul>
 * The slow (Python) tokenizers do the same with a trie and by stripping the neighbouring pieces, which gives the same
 * pieces for every practical input.
 */
final class AddedTokenSplitter {

    /** A piece of the input: either an added token ({@code tokenId >= 0}) or plain text {@code [start, end)}. */
    record Piece(int start, int end, int tokenId) {
        boolean isToken() {
            return tokenId >= 0;
        }
    }

    private static final class Node {
        final Map<Character, Node> next = new HashMap<>(4);
        AddedToken token; // non-null when a token ends here
    }

    private final Node root = new Node();
    private final boolean empty;
    /** First characters of all patterns: most positions of a text are rejected with one bit test, no map lookup. */
    private final java.util.BitSet firstChars = new java.util.BitSet();

    AddedTokenSplitter(List<AddedToken> tokens, java.util.function.UnaryOperator<String> patternOf) {
        for (AddedToken t : tokens) {
            String pattern = patternOf.apply(t.content());
            if (pattern.isEmpty()) continue;
            Node n = root;
            firstChars.set(pattern.charAt(0));
            for (int i = 0; i < pattern.length(); i++) {
                n = n.next.computeIfAbsent(pattern.charAt(i), c -> new Node());
            }
            if (n.token == null) n.token = t; // first definition wins, as in a map keyed by content
        }
        empty = root.next.isEmpty();
    }

    boolean isEmpty() {
        return empty;
    }

    /** End of the longest token starting exactly at {@code i} (matching within {@code s[i, to)}), or -1. */
    int longestMatchAt(String s, int i, int to) {
        Node n = root;
        int bestEnd = -1;
        for (int j = i; j < to; j++) {
            n = n.next.get(s.charAt(j));
            if (n == null) break;
            if (n.token != null) bestEnd = j + 1;
        }
        return bestEnd;
    }

    /** Splits {@code s[from, to)} into plain-text and token pieces covering it (stripped whitespace excepted). */
    List<Piece> split(String s, int from, int to) {
        List<Piece> out = new ArrayList<>();
        if (empty) {
            if (to > from) out.add(new Piece(from, to, -1));
            return out;
        }
        int startOffset = from;
        int i = from;
        while (i < to) {
            if (!firstChars.get(s.charAt(i))) {
                i++;
                continue;
            }
            // Longest token starting at i.
            Node n = root;
            AddedToken best = null;
            int bestEnd = -1;
            for (int j = i; j < to; j++) {
                n = n.next.get(s.charAt(j));
                if (n == null) break;
                if (n.token != null) {
                    best = n.token;
                    bestEnd = j + 1;
                }
            }
            if (best == null) {
                i++;
                continue;
            }
            int start = i, stop = bestEnd;
            i = bestEnd;
            if (best.singleWord()) {
                boolean startOk = start == from || !isWordChar(Character.codePointBefore(s, start));
                boolean stopOk = stop == to || !isWordChar(Character.codePointAt(s, stop));
                if (!startOk || !stopOk) continue;
            }
            if (best.lstrip()) {
                int k = start;
                while (k > startOffset && isWhiteSpace(Character.codePointBefore(s, k))) {
                    k -= Character.charCount(Character.codePointBefore(s, k));
                }
                start = k;
            }
            if (best.rstrip()) {
                int k = stop;
                while (k < to && isWhiteSpace(Character.codePointAt(s, k))) {
                    k += Character.charCount(Character.codePointAt(s, k));
                }
                stop = k;
                i = stop;
            }
            if (startOffset < start) out.add(new Piece(startOffset, start, -1));
            out.add(new Piece(start, stop, best.id()));
            startOffset = stop;
        }
        if (startOffset < to) out.add(new Piece(startOffset, to, -1));
        return out;
    }

    /** Rust regex {@code \w}: Alphabetic, marks, decimal digits, connector punctuation, join controls. */
    static boolean isWordChar(int cp) {
        if (Character.isAlphabetic(cp)) return true;
        int t = Character.getType(cp);
        return t == Character.NON_SPACING_MARK || t == Character.ENCLOSING_MARK || t == Character.COMBINING_SPACING_MARK
                || t == Character.DECIMAL_DIGIT_NUMBER || t == Character.CONNECTOR_PUNCTUATION
                || cp == 0x200C || cp == 0x200D;
    }

    /**
     * The Unicode White_Space property, which is what {@code \s} means in Oniguruma, Rust's regex crate and Rust's
     * {@code char::is_whitespace}. Java's {@link Character#isWhitespace} differs (it excludes no-break spaces and
     * includes U+001C..U+001F), so the set is spelled out; it has been stable since Unicode 6.3.
     */
    static boolean isWhiteSpace(int cp) {
        if (cp <= 0x20) return cp == 0x20 || (cp >= 0x09 && cp <= 0x0D);
        if (cp < 0x85) return false;
        return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A)
                || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
    }
}
