package org.tessera.eval.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** can_infer; expected picks from VLMEvalKit's matching_util under CPython 3.11 (null where it returns False). */
class ChoiceExtractorTest {
    static final Map<String, String> TWO = options("cat", "dog");
    static final Map<String, String> FOUR = options("red", "green", "blue", "yellow");

    static Map<String, String> options(String... texts) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int k = 0; k < texts.length; k++) m.put(String.valueOf((char) ('A' + k)), texts[k]);
        return m;
    }

    static void pick(String answer, Map<String, String> choices, String want) {
        assertEquals(want, ChoiceExtractor.infer(answer, choices), () -> "can_infer(" + answer + ")");
    }

    @Test
    void letters() {
        pick("B", TWO, "B");
        pick("The answer is B.", TWO, "B");
        pick("B. dog", TWO, "B");
        pick("(B)", TWO, "B");
        pick("Option A: cat", TWO, "A");
        pick("A B", TWO, null);          // two letters, and no "answer is"
        pick("C", TWO, null);            // not an option
        pick("a", TWO, null);            // lower case is not a letter token
        pick("E", FOUR, null);
    }

    @Test
    void positionRuleAndTheVerboseAnswerPattern() {
        // One letter, but too early (not among the last four words), and no "answer is": nothing.
        pick("I think it is A because of the long explanation that follows here", TWO, null);
        // Two letters ("A" the article): the "answer is X" pattern decides.
        pick("A cat is on the mat, so the answer is B", TWO, "B");
        pick("The correct answer is **C**", FOUR, "C");
        pick("answer is c", FOUR, "C");          // case-insensitive, like (?i)
        pick("answer IS   d", FOUR, "D");
    }

    @Test
    void refusalsAndOptionText() {
        pick("Cannot determine the answer", TWO, "Z");
        pick("Z", TWO, "Z");
        pick("Failed to obtain answer via API", TWO, null);
        pick("dog", TWO, "B");                   // one option's text occurs
        pick("blue", FOUR, "C");
        pick("cat and dog", TWO, null);          // two do
        pick("It is blue or green", FOUR, null);
        // Longer than twice the options' text together: text matching is not tried.
        pick("The image shows a red car parked on the street near a tree and a green bench and a blue sky", FOUR, null);
    }

    @Test
    void circularGroupsNeedEveryRotationRight() {
        var r1 = new MultipleChoice.Row(TWO, "A", "A");
        var r2 = new MultipleChoice.Row(options("dog", "cat"), "B", "B");
        var wrong = new MultipleChoice.Row(options("dog", "cat"), "B", "A");
        var none = new MultipleChoice.Row(options("dog", "cat"), "B", "I am not sure");
        assertEquals(true, MultipleChoice.circular(List.of(r1, r2)).hit());
        assertEquals(false, MultipleChoice.circular(List.of(r1, wrong)).hit());
        assertEquals(false, MultipleChoice.circular(List.of(r1, none)).hit()); // unresolved without a judge: wrong
        assertEquals(java.util.Arrays.asList("A", null), MultipleChoice.circular(List.of(r1, none)).picks());
        assertEquals(true, MultipleChoice.vanilla(r1).hit());
        assertEquals(false, MultipleChoice.vanilla(wrong).hit());
    }
}
