package org.tessera.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.awt.image.BufferedImage;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every kind draws what it claims: answers are drawn strings, keys are unique, sizes and text sizes obey the knobs. */
class GeneratorTest {

    static SynthOptions.Builder small(Kind kind) {
        return SynthOptions.builder().kind(kind).count(1).minSize(448).maxSize(1000);
    }

    /** Checks every invariant of one sample; returns it. */
    static Sample check(SynthOptions o, Split split, int i) {
        Sample s = SynthDataset.render(o, split, i);
        String where = s.kind().label() + " " + split.label() + " #" + i + " (" + s.width() + "x" + s.height() + ")";
        List<TextItem> items = s.items();
        assertFalse(items.isEmpty(), where);
        assertFalse(s.qas().isEmpty(), where + ": no questions");
        assertTrue(s.qas().size() <= o.questionsPerImage(), where);
        int longer = Math.max(s.width(), s.height());
        assertTrue(longer >= o.minSize() && longer <= o.maxSize(), where + ": longer side " + longer);
        assertEquals(s.width(), s.image().getWidth());
        assertEquals(s.height(), s.image().getHeight());
        Map<String, Integer> counts = new HashMap<>();
        for (TextItem t : items) {
            counts.merge(t.text(), 1, Integer::sum);
            assertTrue(t.capPx() >= o.minTextPx() - 1e-9 && t.capPx() <= o.maxTextPx() + 1e-9,
                    where + ": '" + t.text() + "' has cap height " + t.capPx());
            double slack = Math.abs(s.angleDeg()) > 0 ? 0.03 * Math.max(s.width(), s.height()) : 0.5;
            assertTrue(t.x() >= -slack && t.y() >= -slack && t.right() <= s.width() + slack && t.bottom() <= s.height() + slack,
                    where + ": '" + t.text() + "' outside the image: " + t);
            assertFalse(t.text().isBlank(), where);
        }
        for (int a = 0; a < items.size(); a++) {
            for (int b = a + 1; b < items.size(); b++) {
                if (items.get(a).overlaps(items.get(b), 0.5)) {
                    fail(where + ": text overlaps: " + items.get(a) + " and " + items.get(b));
                }
            }
        }
        Set<String> questions = new HashSet<>();
        for (Qa qa : s.qas()) {
            assertTrue(questions.add(qa.question()), where + ": asked twice: " + qa.question());
            TextItem answer = items.get(qa.answerItem());
            assertEquals(answer.text(), qa.answer(), where + ": answer is not the drawn string");
            assertFalse(qa.answer().isBlank(), where);
            assertEquals(Generator.round1(answer.capPx()), qa.answerTextPx(), where);
            for (int k : qa.keyItems()) {
                String key = items.get(k).text();
                assertEquals(1, counts.get(key), where + ": key '" + key + "' of \"" + qa.question() + "\" is not unique");
            }
            if (o.vocab() == Vocab.DIGITS) assertTrue(Vocab.isNumeric(qa.answer()), where + ": not numeric: " + qa.answer());
            if (s.angleDeg() == 0) assertTrue(hasInk(s.image(), answer), where + ": nothing visible where '" + qa.answer() + "' was drawn");
        }
        return s;
    }

    /** Whether the box holds dark and light pixels: something was drawn there. */
    static boolean hasInk(BufferedImage img, TextItem t) {
        int lo = 255, hi = 0;
        for (int y = (int) Math.max(0, t.y()); y < Math.min(img.getHeight(), t.bottom()); y++) {
            for (int x = (int) Math.max(0, t.x()); x < Math.min(img.getWidth(), t.right()); x++) {
                int p = img.getRGB(x, y);
                int l = (((p >> 16) & 0xFF) * 299 + ((p >> 8) & 0xFF) * 587 + (p & 0xFF) * 114) / 1000;
                lo = Math.min(lo, l);
                hi = Math.max(hi, l);
            }
        }
        return hi - lo > 40;
    }

    @Test
    void everyKindDrawsItsAnswers() {
        for (Kind kind : Kind.CONCRETE) {
            SynthOptions o = small(kind).build();
            Set<String> types = new HashSet<>();
            for (int i = 0; i < 25; i++) {
                for (Qa qa : check(o, Split.TRAIN, i).qas()) types.add(qa.type());
            }
            assertTrue(types.size() >= 3, kind + " asks too few kinds of question: " + types);
        }
    }

    @Test
    void fullSizePagesAndSmallText() {
        SynthOptions o = SynthOptions.builder().kind(Kind.MIXED).count(1).minSize(1800).maxSize(2600).minTextPx(5).maxTextPx(9).build();
        Set<Kind> kinds = new HashSet<>();
        for (int i = 0; i < 12; i++) kinds.add(check(o, Split.TEST, i).kind());
        assertEquals(Set.copyOf(Kind.CONCRETE), kinds, "MIXED should reach every kind in 12 samples");
    }

    @Test
    void knobsBoundTheTextAndThePages() {
        for (Kind kind : Kind.CONCRETE) {
            SynthOptions o = small(kind).minSize(600).maxSize(700).minTextPx(11).maxTextPx(13).questionsPerImage(5).build();
            for (int i = 0; i < 6; i++) {
                Sample s = check(o, Split.TRAIN, i);
                assertTrue(s.minTextPx() >= 11 && s.minTextPx() <= 13, kind + ": " + s.minTextPx());
            }
        }
    }

    @Test
    void digitsVocabAsksOnlyForNumbers() {
        for (Kind kind : Kind.CONCRETE) {
            SynthOptions o = small(kind).vocab(Vocab.DIGITS).questionsPerImage(4).build();
            for (int i = 0; i < 10; i++) check(o, Split.TRAIN, i);
        }
    }

    @Test
    void easyReceiptsLeadWithABigTotal() {
        SynthOptions o = SynthOptions.builder(Preset.EASY).count(1).build();
        assertEquals(Kind.RECEIPTS, o.kind());
        for (int i = 0; i < 20; i++) {
            Sample s = check(o, Split.TRAIN, i);
            Qa first = s.qas().get(0);
            assertEquals("total", first.type());
            assertEquals("What is the total?", first.question());
            assertTrue(first.answerTextPx() >= Math.min(o.maxTextPx(), 1.5 * s.minTextPx()) - 0.1,
                    "the total is not big: " + first.answerTextPx() + " vs body " + s.minTextPx());
            assertTrue(Math.max(s.width(), s.height()) <= 1024);
        }
    }

    @Test
    void receiptSumsAreExact() {
        SynthOptions o = small(Kind.RECEIPTS).build();
        for (int i = 0; i < 20; i++) {
            Sample s = SynthDataset.render(o, Split.TRAIN, i);
            long items = 0, subtotal = -1, tax = 0, total = -1;
            List<TextItem> it = s.items();
            for (int k = 0; k < it.size(); k++) {
                TextItem t = it.get(k);
                switch (t.role()) {
                    case "price" -> { if (s.items().stream().noneMatch(x -> x.role().equals("qty"))) items += cents(t.text()); }
                    case "amount" -> items += cents(t.text());
                    case "total" -> total = cents(t.text());
                    case "label" -> {
                        String l = t.text().toLowerCase(java.util.Locale.ROOT);
                        if (l.equals("subtotal")) subtotal = cents(it.get(k + 1).text());
                        if (l.startsWith("tax")) tax = cents(it.get(k + 1).text());
                    }
                    default -> { }
                }
            }
            assertEquals(items, subtotal, "sample " + i + ": items do not sum to the subtotal");
            assertEquals(subtotal + tax, total, "sample " + i + ": subtotal + tax != total");
        }
    }

    static long cents(String money) {
        return Long.parseLong(money.replace(",", "").replace(".", ""));
    }
}
