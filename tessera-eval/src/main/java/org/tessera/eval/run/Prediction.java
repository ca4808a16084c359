package org.tessera.eval.run;

/**
 * One stored answer.
 *
 * @param index            the row's index
 * @param prediction       the model's answer
 * @param tiles            image tiles encoded (0 when unknown, e.g. predictions made elsewhere)
 * @param imageTokens      language-model tokens the images became
 * @param promptTokens     prompt tokens, image tokens included
 * @param completionTokens tokens generated
 * @param seconds          wall time of the question
 */
public record Prediction(String index, String prediction, int tiles, int imageTokens, int promptTokens, int completionTokens,
                         double seconds) {

    /** A prediction made elsewhere: only the text is known. */
    public static Prediction of(String index, String prediction) {
        return new Prediction(index, prediction, 0, 0, 0, 0, 0);
    }
}
