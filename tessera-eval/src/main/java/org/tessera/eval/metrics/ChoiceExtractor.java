package org.tessera.eval.metrics;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tessera.eval.py.PyStr;

/**
 * Which option a free-text answer picks, as VLMEvalKit's exact matching decides ({@code can_infer},
 * {@code can_infer_option}, {@code can_infer_text} in {@code vlmeval/utils/matching_util.py}); no judge model.
 *
 * <ol>
 *   <li>A known refusal ("Cannot determine the answer", ...) picks 'Z' (always wrong); an API failure message picks
 *       nothing.</li>
 *   <li>{@code .()[],:;!*#{}} become spaces and the text is split on whitespace. When exactly one option letter is
 *       among the words and its first occurrence is one of the last four words, that letter. When no option letter
 *       is there but a word 'Z' is, 'Z'.</li>
 *   <li>Else the first "(correct) answer is X" (any case, X in A-D, optional {@code **}), when X is an option.</li>
 *   <li>Else, when the lower-cased answer is at most twice as long as all option texts together: the one option
 *       whose lower-cased text occurs in it, if exactly one does.</li>
 * </ol>
 * Without a judge model an answer that picks nothing counts as wrong.
 */
public final class ChoiceExtractor {
    private ChoiceExtractor() {}

    /** The pick for answers that refuse. */
    public static final String REFUSED = "Z";

    private static final List<String> REFUSALS = List.of("Sorry, I can't help with images of people yet.",
            "I can't process this file.", "I'm sorry, but without the image provided", "Cannot determine the answer");
    private static final String API_FAILURE = "Failed to obtain answer via API";
    private static final String SEPARATORS = ".()[],:;!*#{}";
    private static final String S = PyStr.SPACE_CLASS;
    private static final Pattern VERBOSE = Pattern.compile("(?:correct" + S + "+)?answer" + S + "+is" + S + "+\\**([ABCD])\\**",
            Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);

    /** {@code can_infer(answer, choices)}: the letter picked, 'Z' for a refusal, or null for no pick. */
    public static String infer(String answer, Map<String, String> choices) {
        String opt = inferOption(answer, choices);
        return opt != null ? opt : inferText(answer, choices);
    }

    /** {@code can_infer_option}. */
    public static String inferOption(String answer, Map<String, String> choices) {
        if (answer.contains(API_FAILURE)) return null;
        for (String r : REFUSALS) if (answer.contains(r)) return REFUSED;
        String mod = answer;
        for (char c : SEPARATORS.toCharArray()) mod = mod.replace(c, ' ');
        List<String> words = PyStr.split(mod);
        int count = 0;
        for (String c : choices.keySet()) if (words.contains(c)) count++;
        if (count == 1) {
            for (String c : choices.keySet()) {
                if (words.contains(c) && words.indexOf(c) > words.size() - 5) return c;
            }
        } else if (count == 0 && words.contains("Z")) {
            return REFUSED;
        }
        Matcher m = VERBOSE.matcher(answer);
        if (m.find()) {
            String letter = PyStr.upper(m.group(1));
            if (choices.containsKey(letter)) return letter;
        }
        return null;
    }

    /** {@code can_infer_text}. */
    public static String inferText(String answer, Map<String, String> choices) {
        String a = PyStr.lower(answer);
        int total = 0;
        for (String v : choices.values()) total += PyStr.len(v);
        if (PyStr.len(a) > 2 * total) return null;
        String found = null;
        int n = 0;
        for (Map.Entry<String, String> e : choices.entrySet()) {
            if (a.contains(PyStr.lower(e.getValue()))) {
                found = e.getKey();
                n++;
            }
        }
        return n == 1 ? found : null;
    }
}
