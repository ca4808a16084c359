package org.tessera.eval.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** VQA accuracy over the ten leave-one-out subsets; expected values from VLMEvalKit's process_line + np.mean. */
class VqaAccuracyTest {

    static List<String> answers(Object... countThenWord) {
        List<String> out = new ArrayList<>();
        for (int k = 0; k < countThenWord.length; k += 2) out.addAll(Collections.nCopies((Integer) countThenWord[k], (String) countThenWord[k + 1]));
        return out;
    }

    @Test
    void agreementCounts() {
        assertEquals(1.0, VqaAccuracy.score(answers(10, "yes"), "Yes"));
        assertEquals(0.3, VqaAccuracy.score(answers(1, "red", 9, "blue"), "red"));
        assertEquals(0.6, VqaAccuracy.score(answers(2, "red", 8, "blue"), "red"));
        assertEquals(0.9, VqaAccuracy.score(answers(3, "red", 7, "blue"), "red"));
        assertEquals(1.0, VqaAccuracy.score(answers(4, "red", 6, "blue"), "red"));
        assertEquals(0.0, VqaAccuracy.score(answers(10, "blue"), "red"));
    }

    @Test
    void normalisationMakesAnswersAgree() {
        assertEquals(1.0, VqaAccuracy.score(answers(3, "two", 1, "2", 6, "three"), "2"));
        assertEquals(1.0, VqaAccuracy.score(List.of("a dog", "the dog", "dog", "dogs", "Dog.", "dog!", "a dog", "puppy", "dog", "hound"), "Dog"));
    }

    @Test
    void aSingleAnswerAlwaysScoresZero() {
        // No other answer can agree: VLMEvalKit's default VQA metric scores one-answer data 0.
        assertEquals(0.0, VqaAccuracy.score(List.of("stop"), "stop"));
        assertEquals(1.0, VqaAccuracy.normalizedMatch(List.of("stop"), "Stop."));
        assertEquals(0.0, VqaAccuracy.normalizedMatch(List.of("stop"), "go"));
    }
}
