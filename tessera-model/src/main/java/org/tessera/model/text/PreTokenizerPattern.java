package org.tessera.model.text;

/**
 * Hand-written matchers for the two pre-tokenizer regular expressions byte-level BPE tokenizers use, with the exact
 * semantics of the backtracking engines that run them in the reference (Oniguruma in Hugging Face
 * {@code tokenizers}, Python's {@code regex} in the slow tokenizers):
 * <pre>
 * QWEN2: (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
 * GPT2:  's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
 * </pre>
 * Why not {@link java.util.regex.Pattern}: its {@code \s} is ASCII-only unless UNICODE_CHARACTER_CLASS is set, and
 * even then the pattern would still have to be rewritten; a direct matcher is also several times faster and makes
 * every backtracking decision visible. The semantics implemented, alternative by alternative (first alternative
 * that matches at the current position wins, as in any backtracking engine):
 * <ul>
 *   <li>{@code \s} is the Unicode White_Space property (U+0085 and U+00A0 included, U+FEFF and U+001C..1F not);
 *       {@code \p{L}} is general category L*, {@code \p{N}} is Nd, Nl and No.</li>
 *   <li>{@code (?i:...)} folds case with Unicode simple case folding, so {@code 'S} and also {@code 'ſ}
 *       (U+017F LATIN SMALL LETTER LONG S, which folds to {@code s}) are contractions. No other code point folds to
 *       one of {@code s t r e v m l d}. (transformers.js folds ASCII only; it differs on {@code 'ſ}.)</li>
 *   <li>{@code \s*[\r\n]+} backtracks from the whole whitespace run to its last CR or LF, so the match ends just
 *       after the last line break of the run.</li>
 *   <li>{@code \s+(?!\S)} takes the whole whitespace run at the end of the text, otherwise the run minus its last
 *       character (which is then free to prefix the next word); a single whitespace character before a non-space
 *       falls through to {@code \s+}.</li>
 * </ul>
 * Every position of any string is matched by one alternative, so the matches tile the input with no gaps.
 */
enum PreTokenizerPattern {

    QWEN2("(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"),
    GPT2("'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+");

    final String regex;

    PreTokenizerPattern(String regex) {
        this.regex = regex;
    }

    /** The matcher for a {@code Split} pattern string, or null when it is none of the supported ones. */
    static PreTokenizerPattern forRegex(String regex) {
        for (PreTokenizerPattern p : values()) {
            if (p.regex.equals(regex)) return p;
        }
        return null;
    }

    /** Receives the pieces {@code [start, end)} in order. */
    interface Sink {
        void piece(int start, int end);
    }

    /** Splits {@code s[from, to)} into pre-tokens. */
    void split(String s, int from, int to, Sink sink) {
        int i = from;
        while (i < to) {
            int end = this == QWEN2 ? matchQwen2(s, i, to) : matchGpt2(s, i, to);
            sink.piece(i, end);
            i = end;
        }
    }

    // ---- character classes --------------------------------------------------------------------------------------

    static boolean isLetter(int cp) {
        return Character.isLetter(cp); // exactly the categories Lu, Ll, Lt, Lm, Lo
    }

    static boolean isNumber(int cp) {
        int t = Character.getType(cp);
        return t == Character.DECIMAL_DIGIT_NUMBER || t == Character.LETTER_NUMBER || t == Character.OTHER_NUMBER;
    }

    static boolean isSpace(int cp) {
        return AddedTokenSplitter.isWhiteSpace(cp);
    }

    /** {@code [^\s\p{L}\p{N}]}. */
    static boolean isOther(int cp) {
        return !isSpace(cp) && !isLetter(cp) && !isNumber(cp);
    }

    private static int cpAt(String s, int i) {
        return Character.codePointAt(s, i);
    }

    private static int after(String s, int i) {
        return i + Character.charCount(Character.codePointAt(s, i));
    }

    /** End of the run of letters starting at {@code i} (which may be empty). */
    private static int letters(String s, int i, int to) {
        while (i < to) {
            int cp = cpAt(s, i);
            if (!isLetter(cp)) break;
            i += Character.charCount(cp);
        }
        return i;
    }

    private static int others(String s, int i, int to) {
        while (i < to) {
            int cp = cpAt(s, i);
            if (!isOther(cp)) break;
            i += Character.charCount(cp);
        }
        return i;
    }

    private static int digits(String s, int i, int to) {
        while (i < to) {
            int cp = cpAt(s, i);
            if (!isNumber(cp)) break;
            i += Character.charCount(cp);
        }
        return i;
    }

    /** Case-folds a character for the contraction alternatives; only the folds that can matter are applied. */
    private static char foldForContraction(char c) {
        if (c >= 'A' && c <= 'Z') return (char) (c + 32);
        if (c == '\u017F') return 's';
        return c;
    }

    /** Length of a contraction match at {@code i} ({@code s[i] == '\''}), or 0. */
    private static int contraction(String s, int i, int to, boolean ignoreCase) {
        if (i + 1 >= to) return 0;
        char c1 = s.charAt(i + 1);
        if (ignoreCase) c1 = foldForContraction(c1);
        switch (c1) {
            case 's', 't', 'm', 'd':
                return 2;
            case 'r', 'v': {
                if (i + 2 >= to) return 0;
                char c2 = s.charAt(i + 2);
                if (ignoreCase) c2 = foldForContraction(c2);
                return c2 == 'e' ? 3 : 0;
            }
            case 'l': {
                if (i + 2 >= to) return 0;
                char c2 = s.charAt(i + 2);
                if (ignoreCase) c2 = foldForContraction(c2);
                return c2 == 'l' ? 3 : 0;
            }
            default:
                return 0;
        }
    }

    /** End of the whitespace run starting at {@code i}. White_Space characters are all in the BMP. */
    private static int spaces(String s, int i, int to) {
        while (i < to && isSpace(s.charAt(i))) i++;
        return i;
    }

    private static int matchQwen2(String s, int i, int to) {
        int c0 = cpAt(s, i);
        int i1 = after(s, i);
        // (?i:'s|'t|'re|'ve|'m|'ll|'d)
        if (c0 == '\'') {
            int n = contraction(s, i, to, true);
            if (n > 0) return i + n;
        }
        // [^\r\n\p{L}\p{N}]?\p{L}+
        if (isLetter(c0)) return letters(s, i1, to);
        if (c0 != '\r' && c0 != '\n' && !isNumber(c0) && i1 < to && isLetter(cpAt(s, i1))) {
            return letters(s, i1, to);
        }
        // \p{N}  (one digit at a time: Qwen splits numbers into single digits)
        if (isNumber(c0)) return i1;
        // ' ?[^\s\p{L}\p{N}]+[\r\n]*'
        int j = c0 == ' ' ? i1 : i;
        if (j < to && isOther(cpAt(s, j))) {
            j = others(s, j, to);
            while (j < to && (s.charAt(j) == '\r' || s.charAt(j) == '\n')) j++;
            return j;
        }
        // Only whitespace can reach this point: c0 is not a letter, number or "other".
        int runEnd = spaces(s, i, to);
        // \s*[\r\n]+
        for (int k = runEnd - 1; k >= i; k--) {
            char c = s.charAt(k);
            if (c == '\r' || c == '\n') return k + 1;
        }
        // \s+(?!\S)  then  \s+
        return trailingSpaceRule(i, runEnd, to);
    }

    private static int matchGpt2(String s, int i, int to) {
        int c0 = cpAt(s, i);
        // 's|'t|'re|'ve|'m|'ll|'d  (case-sensitive)
        if (c0 == '\'') {
            int n = contraction(s, i, to, false);
            if (n > 0) return i + n;
        }
        int j = c0 == ' ' ? i + 1 : i;
        if (j < to) {
            int cj = cpAt(s, j);
            if (isLetter(cj)) return letters(s, j, to);   // ' ?\p{L}+'
            if (isNumber(cj)) return digits(s, j, to);    // ' ?\p{N}+'
            if (isOther(cj)) return others(s, j, to);     // ' ?[^\s\p{L}\p{N}]+'
        }
        // c0 is whitespace here (a lone ' ' before whitespace or at the end included).
        int runEnd = spaces(s, i, to);
        return trailingSpaceRule(i, runEnd, to);
    }

    /** {@code \s+(?!\S)|\s+} on the whitespace run {@code [i, runEnd)}. */
    private static int trailingSpaceRule(int i, int runEnd, int to) {
        if (runEnd == to) return runEnd;          // (?!\S) holds at the end of the text
        if (runEnd - i >= 2) return runEnd - 1;   // back off one character so (?!\S) sees whitespace
        return runEnd;                            // \s+ on a single whitespace character
    }
}
