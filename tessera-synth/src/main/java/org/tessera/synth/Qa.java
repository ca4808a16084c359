package org.tessera.synth;

import java.util.List;

/**
 * One question with its one exact answer. {@code answerItem} is the drawn string the answer was read from (the answer
 * is that string's text); {@code keyItems} are the drawn strings the question names (a row label, a field's key),
 * each of which appears exactly once on the page, which is what makes the answer unambiguous.
 */
public record Qa(String type, String question, String answer, int answerItem, List<Integer> keyItems, double answerTextPx) {
}
