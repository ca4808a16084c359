package org.tessera.eval.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * process_answer as VLMEvalKit applies it; every expected value was printed by VLMEvalKit's own functions
 * (vqa_eval.py and smp/misc.py at e8e78f05) under CPython 3.11.
 */
class VqaNormalizerTest {

    static void is(String in, String want) {
        assertEquals(want, VqaNormalizer.normalize(in), () -> "process_answer(" + in + ")");
    }

    @Test
    void numbersArticlesContractions() {
        is("The Two dogs, isnt it?", "2 dogs isn't it");
        is("None", "0");
        is("an apple", "apple");
        is("Ten", "10");
        is("dont", "don't");
        is("don't", "don't");
        is("Im", "im");               // the table's key is "Im": never matches after lower()
        is("I'm", "i'm");
        is("somebody'd", "somebodyd"); // the table maps this one the other way
        is("what's up?", "what's up");
    }

    @Test
    void punctuation() {
        is("1,000 people.", "1000 people");   // digit-comma-digit: every listed mark is deleted
        is("1.5,2", "1.52");
        is("hello-world", "hello world");     // not next to a space: replaced by a space
        is("hello - world", "hello world");   // next to a space: deleted
        is("a/b", "b");                       // "a b", then the article goes
        is("a-b, c", "b c");
        is("(yes)", "yes");
        is("\"quoted\" text", "quoted text");
        is("#1!", "#1");                      // '#' is not in the list
        is("\u0661,\u0662 ok!", "\u0661\u0662 ok"); // Arabic-Indic digits are digits to Python's \d
    }

    @Test
    void periodsAndWhitespace() {
        is("3.14", "3.14");
        is("end.", "end");
        is("a.b.c", "abc");
        is("U.S.A.", "usa");
        is("2.5 m.", "2.5 m");
        is("e.g. 5.", "eg 5.");               // the last period follows a digit
        is("x" + ".".repeat(40), "x" + ".".repeat(8)); // re.sub(..., re.UNICODE) removes only 32
        is("\tNew\nYork  ", "new york");
        is("\u00a0yes\u00a0", "yes");
        is("\u00df", "\u00df");
        is("\u0391\u03a3", "\u03b1\u03c2");
    }
}
