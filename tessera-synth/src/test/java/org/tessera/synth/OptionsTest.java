package org.tessera.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class OptionsTest {
    static void rejects(UnaryOperator<SynthOptions.Builder> change, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> change.apply(SynthOptions.builder()).build());
        assertTrue(e.getMessage().contains(expected), "message '" + e.getMessage() + "' should mention '" + expected + "'");
    }

    @Test
    void badKnobsAreNamed() {
        rejects(b -> b.count(0), "--count");
        rejects(b -> b.testCount(-1), "--test-count");
        rejects(b -> b.minSize(100), "--min-size must be between 256");
        rejects(b -> b.maxSize(10_000), "--max-size");
        rejects(b -> b.minSize(1000).maxSize(900), "larger than --max-size");
        rejects(b -> b.minTextPx(2), "--min-text-px must be between");
        rejects(b -> b.maxTextPx(Double.NaN), "--max-text-px");
        rejects(b -> b.minTextPx(20).maxTextPx(10), "larger than --max-text-px");
        rejects(b -> b.minTextPx(30), "does not fit pages of 448 px");
        rejects(b -> b.questionsPerImage(0), "--questions-per-image");
        rejects(b -> b.maxRotation(45), "--rotation");
        rejects(b -> b.noise(2), "--noise");
        rejects(b -> b.threads(0), "--threads");
        rejects(b -> b.name("a b"), "--name");
        assertThrows(IllegalArgumentException.class, () -> Kind.parse("posters"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Kind.parse("posters")).getMessage().contains("receipts, documents, tables, charts, mixed"));
        assertThrows(IllegalArgumentException.class, () -> Vocab.parse("emoji"));
        assertThrows(IllegalArgumentException.class, () -> Preset.parse("hard"));
    }

    @Test
    void presetsGiveDefaults() {
        SynthOptions full = SynthOptions.builder().build();
        assertEquals(Kind.MIXED, full.kind());
        assertEquals(Vocab.WORDS, full.vocab());
        assertEquals(10, full.testCount(), "a tenth of the default 100");
        SynthOptions easy = SynthOptions.builder(Preset.EASY).count(25).minTextPx(10).build();
        assertEquals(Kind.RECEIPTS, easy.kind());
        assertEquals(Vocab.DIGITS, easy.vocab());
        assertEquals(10, easy.minTextPx(), "explicit knobs override the preset");
        assertEquals(3, easy.testCount());
        assertEquals("synth_receipts_easy", easy.name());
    }

    @Test
    void numericAnswers() {
        assertTrue(Vocab.isNumeric("1,234.50"));
        assertTrue(Vocab.isNumeric("2023-04-11"));
        assertTrue(Vocab.isNumeric("$12"));
        assertTrue(Vocab.isNumeric("12.5%"));
        assertTrue(!Vocab.isNumeric("INV-123"));
        assertTrue(!Vocab.isNumeric("-"));
    }
}
