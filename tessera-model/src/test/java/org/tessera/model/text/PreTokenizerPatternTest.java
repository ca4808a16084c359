package org.tessera.model.text;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The hand-written pre-tokenizer matchers against (a) hand-derived splits of the hard cases and (b) a backtracking
 * regex engine: java.util.regex running the same patterns with every class spelled out as the reference engines
 * define it ({@code \s} = White_Space, {@code \p{L}}, {@code \p{N}}, and the case folding of {@code (?i:...)} written
 * as explicit alternatives including U+017F). Java's engine, like Oniguruma, tries alternatives left to right and
 * backtracks greedy quantifiers, so on random strings over a nasty alphabet both must split identically.
 */
class PreTokenizerPatternTest {

    private static final String WS = "[\\t\\n\\u000B\\f\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]";
    private static final String NOT_WS_L_N = "[^\\t\\n\\u000B\\f\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000\\p{L}\\p{N}]";

    static final Pattern QWEN2 = Pattern.compile(
            "'[sS\\u017F]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD]"
                    + "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+"
                    + "|\\p{N}"
                    + "| ?" + NOT_WS_L_N + "+[\\r\\n]*"
                    + "|" + WS + "*[\\r\\n]+"
                    + "|" + WS + "+(?!" + "[^\\t\\n\\u000B\\f\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]" + ")"
                    + "|" + WS + "+");

    static final Pattern GPT2 = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?" + NOT_WS_L_N + "+"
                    + "|" + WS + "+(?!" + "[^\\t\\n\\u000B\\f\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]" + ")"
                    + "|" + WS + "+");

    static List<String> split(PreTokenizerPattern p, String s) {
        List<String> out = new ArrayList<>();
        p.split(s, 0, s.length(), (a, b) -> out.add(s.substring(a, b)));
        return out;
    }

    static List<String> regexSplit(Pattern p, String s) {
        List<String> out = new ArrayList<>();
        Matcher m = p.matcher(s);
        int prev = 0;
        while (m.find()) {
            if (m.start() > prev) out.add(s.substring(prev, m.start())); // gaps (never happen for these patterns)
            if (m.end() > m.start()) out.add(m.group());
            prev = m.end();
        }
        if (prev < s.length()) out.add(s.substring(prev));
        return out;
    }

    @Test
    void handDerivedQwen2Splits() {
        assertEquals(List.of("Hello", " world"), split(PreTokenizerPattern.QWEN2, "Hello world"));
        assertEquals(List.of("a", "  ", " b"), split(PreTokenizerPattern.QWEN2, "a   b"));
        assertEquals(List.of("a", "   "), split(PreTokenizerPattern.QWEN2, "a   "));
        assertEquals(List.of("x", " \n\n", "y"), split(PreTokenizerPattern.QWEN2, "x \n\ny"));
        assertEquals(List.of("x", "\n", "  ", " y"), split(PreTokenizerPattern.QWEN2, "x\n   y"));
        assertEquals(List.of("\t", "\tx"), split(PreTokenizerPattern.QWEN2, "\t\tx"));
        assertEquals(List.of("1", "2", " ", "3"), split(PreTokenizerPattern.QWEN2, "12 3"));
        assertEquals(List.of("...\n\n", "a"), split(PreTokenizerPattern.QWEN2, "...\n\na"));
        assertEquals(List.of(" !!", " ?"), split(PreTokenizerPattern.QWEN2, " !! ?"));
        assertEquals(List.of("'re", "x"), split(PreTokenizerPattern.QWEN2, "'rex"));
        assertEquals(List.of("'rx"), split(PreTokenizerPattern.QWEN2, "'rx"));
        assertEquals(List.of("'S", "'ſ"), split(PreTokenizerPattern.QWEN2, "'S'ſ"));
        assertEquals(List.of("😀a"), split(PreTokenizerPattern.QWEN2, "😀a")); // a symbol may prefix a word
        assertEquals(List.of("q", "\u0303"), split(PreTokenizerPattern.QWEN2, "q\u0303"));
        // No-break spaces are \s: the run minus its last character, which then prefixes the word.
        assertEquals(List.of("x", "\u00A0", "\u00A0y"), split(PreTokenizerPattern.QWEN2, "x\u00A0\u00A0y"));
        // NEL (U+0085) is whitespace but not CR/LF, so like a space it can prefix a word.
        assertEquals(List.of("x", "\u0085y"), split(PreTokenizerPattern.QWEN2, "x\u0085y"));
    }

    @Test
    void handDerivedGpt2Splits() {
        // " 's": the contraction alternatives need the apostrophe first, so the space takes the punctuation branch.
        assertEquals(List.of("Hello", " world", "!!", " 123", " '", "s"), split(PreTokenizerPattern.GPT2, "Hello world!! 123 's"));
        // Case-sensitive contractions, and only a space (not any character) may prefix a word.
        assertEquals(List.of("'", "S"), split(PreTokenizerPattern.GPT2, "'S"));
        assertEquals(List.of("'s"), split(PreTokenizerPattern.GPT2, "'s"));
    }

    @Provide
    Arbitrary<String> nasty() {
        // Letters (ASCII, accented, CJK, ſ), numbers of all kinds, every whitespace class, CR/LF, apostrophes,
        // punctuation, marks, symbols, a supplementary letter, a supplementary symbol (emoji) and digit.
        List<String> atoms = List.of("a", "Z", "é", "ſ", "s", "S", "t", "e", "r", "l", "L", "d", "m", "v", "中", "ア",
                "1", "٣", "Ⅻ", "½", " ", "  ", "\t", "\n", "\r", "\r\n", "\u00A0", "\u3000", "\u0085", "\u2028", "\u000B",
                "\uFEFF", "\u200B", "'", "''", ".", "!", "?", ",", "-", "_", "\u0301", "+", "€", "𝔘", "😀", "𝟙", "\u001F");
        return Arbitraries.of(atoms).list().ofMaxSize(14).map(l -> String.join("", l));
    }

    @Property(tries = 3000)
    void qwen2MatchesBacktrackingRegex(@ForAll("nasty") String s) {
        assertEquals(regexSplit(QWEN2, s), split(PreTokenizerPattern.QWEN2, s), () -> "input " + escape(s));
    }

    @Property(tries = 3000)
    void gpt2MatchesBacktrackingRegex(@ForAll("nasty") String s) {
        assertEquals(regexSplit(GPT2, s), split(PreTokenizerPattern.GPT2, s), () -> "input " + escape(s));
    }

    static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) sb.append(c < 0x20 || c > 0x7E ? String.format("\\u%04X", (int) c) : String.valueOf(c));
        return sb.toString();
    }
}
