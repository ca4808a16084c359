package org.tessera.eval.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** relaxed_correctness(target, prediction); expected values from VLMEvalKit's function under CPython 3.11. */
class RelaxedAccuracyTest {

    static void rc(String target, String prediction, boolean want) {
        assertEquals(want, RelaxedAccuracy.correct(target, prediction), () -> "relaxed_correctness(" + target + ", " + prediction + ")");
    }

    @Test
    void numbersWithinFivePercent() {
        rc("12", "12.5", true);
        rc("12", "12.7", false);
        rc("100", "105", true);             // exactly 5%: kept
        rc("100", "105.0000001", false);
        rc("3", "3.15", true);
        rc("-5", "5", false);
        rc("1_000", "1000", true);          // float() takes underscores between digits
        rc("\uff11\uff12", "12", true);     // and full-width digits
        rc("12", "1e1_2", false);
    }

    @Test
    void percentSigns() {
        rc("50%", "0.5", true);
        rc("0.5", "50%", true);
        rc("50", "50%", false);
        rc("12%%", "0.12", true);           // rstrip('%') removes them all
    }

    @Test
    void textFallback() {
        rc("0", "0", true);                 // a zero target compares text
        rc("0", "0.0", false);
        rc("-0", "0", false);
        rc("0.0", "abc", false);
        rc("1,000", "1000", false);         // the comma defeats float(): text compare
        rc("12", "12 apples", false);
        rc("Yes", "yes", true);
        rc("ABC", "abc", true);
        rc(" yes", "yes", false);           // the target is not stripped
        rc("nan", "5", false);              // bool(nan) is true: the numeric branch, and NaN compares false
        rc("nan", "nan", false);
        rc("inf", "inf", false);            // inf - inf is NaN
    }

    @Test
    void questionScoreStripsThePredictionAndTakesTheBest() {
        assertEquals(1.0, RelaxedAccuracy.score(List.of("12", "15"), " 15.5 "));
        assertEquals(0.0, RelaxedAccuracy.score(List.of("12", "15"), " 17 "));
        assertEquals(1.0, RelaxedAccuracy.score(List.of("12"), "12 "));
    }
}
