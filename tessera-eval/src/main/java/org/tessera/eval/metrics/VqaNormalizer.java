package org.tessera.eval.metrics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tessera.eval.py.PyStr;

/**
 * The answer normalisation of the VQA accuracy (VLMEvalKit's {@code process_answer} in
 * {@code vlmeval/dataset/utils/vqa_eval.py} and {@code process_punctuation} in {@code vlmeval/smp/misc.py}, both from
 * the original VQA evaluation code), applied to answers and predictions alike:
 * <ol>
 *   <li>newlines and tabs become spaces; {@code strip()};</li>
 *   <li>each of {@code ; / [ ] " { } ( ) = + \ _ - > < @ ` , ? !} is deleted when it stands next to a space somewhere in
 *       the text (or when the text has a digit-comma-digit anywhere), and otherwise replaced by a space;</li>
 *   <li>periods not between digits are removed, but only the first 32: the original code passes {@code re.UNICODE}
 *       (= 32) as {@code re.sub}'s count;</li>
 *   <li>lower-case, split on whitespace, number words zero..ten (and "none") become digits, the articles a/an/the
 *       are dropped, contractions missing their apostrophe get it back, words joined by single spaces.</li>
 * </ol>
 * Digits in the two patterns are Unicode decimal digits, as Python's {@code \d} matches in a str pattern.
 */
public final class VqaNormalizer {
    private VqaNormalizer() {}

    private static final String[] PUNCT = {
            ";", "/", "[", "]", "\"", "{", "}", "(", ")", "=", "+", "\\", "_", "-", ">", "<", "@", "`", ",", "?", "!"
    };
    private static final Pattern COMMA_STRIP = Pattern.compile("(\\p{Nd})(,)(\\p{Nd})");
    private static final Pattern PERIOD_STRIP = Pattern.compile("(?<!\\p{Nd})\\.(?!\\p{Nd})");
    /** {@code re.UNICODE}, passed by the original code as the count of periods {@code re.sub} removes. */
    static final int PERIOD_COUNT = 32;

    private static final Map<String, String> NUMBERS = Map.ofEntries(
            Map.entry("none", "0"), Map.entry("zero", "0"), Map.entry("one", "1"), Map.entry("two", "2"),
            Map.entry("three", "3"), Map.entry("four", "4"), Map.entry("five", "5"), Map.entry("six", "6"),
            Map.entry("seven", "7"), Map.entry("eight", "8"), Map.entry("nine", "9"), Map.entry("ten", "10"));
    private static final List<String> ARTICLES = List.of("a", "an", "the");
    private static final Map<String, String> CONTRACTIONS = pairs(
            "aint", "ain't", "arent", "aren't", "cant", "can't", "couldve", "could've",
            "couldnt", "couldn't", "couldn'tve", "couldn't've", "couldnt've", "couldn't've", "didnt", "didn't",
            "doesnt", "doesn't", "dont", "don't", "hadnt", "hadn't", "hadnt've", "hadn't've",
            "hadn'tve", "hadn't've", "hasnt", "hasn't", "havent", "haven't", "hed", "he'd",
            "hed've", "he'd've", "he'dve", "he'd've", "hes", "he's", "howd", "how'd",
            "howll", "how'll", "hows", "how's", "Id've", "I'd've", "I'dve", "I'd've",
            "Im", "I'm", "Ive", "I've", "isnt", "isn't", "itd", "it'd",
            "itd've", "it'd've", "it'dve", "it'd've", "itll", "it'll", "let's", "let's",
            "maam", "ma'am", "mightnt", "mightn't", "mightnt've", "mightn't've", "mightn'tve", "mightn't've",
            "mightve", "might've", "mustnt", "mustn't", "mustve", "must've", "neednt", "needn't",
            "notve", "not've", "oclock", "o'clock", "oughtnt", "oughtn't", "ow's'at", "'ow's'at",
            "'ows'at", "'ow's'at", "'ow'sat", "'ow's'at", "shant", "shan't", "shed've", "she'd've",
            "she'dve", "she'd've", "she's", "she's", "shouldve", "should've", "shouldnt", "shouldn't",
            "shouldnt've", "shouldn't've", "shouldn'tve", "shouldn't've", "somebody'd", "somebodyd", "somebodyd've", "somebody'd've",
            "somebody'dve", "somebody'd've", "somebodyll", "somebody'll", "somebodys", "somebody's", "someoned", "someone'd",
            "someoned've", "someone'd've", "someone'dve", "someone'd've", "someonell", "someone'll", "someones", "someone's",
            "somethingd", "something'd", "somethingd've", "something'd've", "something'dve", "something'd've", "somethingll", "something'll",
            "thats", "that's", "thered", "there'd", "thered've", "there'd've", "there'dve", "there'd've",
            "therere", "there're", "theres", "there's", "theyd", "they'd", "theyd've", "they'd've",
            "they'dve", "they'd've", "theyll", "they'll", "theyre", "they're", "theyve", "they've",
            "twas", "'twas", "wasnt", "wasn't", "wed've", "we'd've", "we'dve", "we'd've",
            "weve", "we've", "werent", "weren't", "whatll", "what'll", "whatre", "what're",
            "whats", "what's", "whatve", "what've", "whens", "when's", "whered", "where'd",
            "wheres", "where's", "whereve", "where've", "whod", "who'd", "whod've", "who'd've",
            "who'dve", "who'd've", "wholl", "who'll", "whos", "who's", "whove", "who've",
            "whyll", "why'll", "whyre", "why're", "whys", "why's", "wont", "won't",
            "wouldve", "would've", "wouldnt", "wouldn't", "wouldnt've", "wouldn't've", "wouldn'tve", "wouldn't've",
            "yall", "y'all", "yall'll", "y'all'll", "y'allll", "y'all'll", "yall'd've", "y'all'd've",
            "y'alld've", "y'all'd've", "y'all'dve", "y'all'd've", "youd", "you'd", "youd've", "you'd've",
            "you'dve", "you'd've", "youll", "you'll", "youre", "you're", "youve", "you've");

    private static Map<String, String> pairs(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int k = 0; k < kv.length; k += 2) m.put(kv[k], kv[k + 1]);
        return Map.copyOf(m);
    }

    /** {@code process_answer(answer)}. */
    public static String normalize(String answer) {
        String a = answer.replace("\n", " ").replace("\t", " ");
        a = PyStr.strip(a);
        a = processPunctuation(a);
        return processDigitArticle(a);
    }

    /** {@code process_punctuation(text)}. */
    public static String processPunctuation(String in) {
        String out = in;
        boolean digitCommaDigit = COMMA_STRIP.matcher(in).find();
        for (String p : PUNCT) {
            // The test looks at the original text, the replacement works on the text so far.
            if (in.contains(p + " ") || in.contains(" " + p) || digitCommaDigit) out = out.replace(p, "");
            else out = out.replace(p, " ");
        }
        Matcher m = PERIOD_STRIP.matcher(out);
        StringBuilder b = new StringBuilder();
        int last = 0, removed = 0;
        while (removed < PERIOD_COUNT && m.find()) {
            b.append(out, last, m.start());
            last = m.end();
            removed++;
        }
        return b.append(out, last, out.length()).toString();
    }

    /** {@code _process_digit_article(text)}. */
    public static String processDigitArticle(String in) {
        List<String> words = new ArrayList<>();
        for (String w : PyStr.split(PyStr.lower(in))) {
            w = NUMBERS.getOrDefault(w, w);
            if (!ARTICLES.contains(w)) words.add(w);
        }
        words.replaceAll(w -> CONTRACTIONS.getOrDefault(w, w));
        return String.join(" ", words);
    }
}
