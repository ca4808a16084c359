package org.tessera.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.model.text.ByteLevelBpeTokenizer;
import org.tessera.model.text.Tokenizer;
import org.tessera.model.text.Tokenizers;

/** A tokenizer learned from text: what it merges, and that the runtime reads what it writes. */
class BpeTrainerTest {
    @TempDir
    Path tmp;

    @Test
    void mergesTheMostFrequentPairsAndTheRuntimeLoadsTheResult() throws Exception {
        BpeTrainer t = new BpeTrainer();
        t.add("What is the total?", 50);
        t.add("What is the tax?", 20);
        t.add("The total is 36.10 and the tax is 2.05", 5);
        BpeTrainer.Result r = t.train(100, 2);
        // the first merge is the most frequent pair: " t" (in " the", " total", " tax"), then ties broken by the strings
        assertEquals("Ġ t", r.merges().get(0));
        BpeTrainer again = new BpeTrainer();
        again.add("The total is 36.10 and the tax is 2.05", 5); // another order of the same counts
        again.add("What is the tax?", 20);
        again.add("What is the total?", 50);
        assertEquals(r.merges(), again.train(100, 2).merges(), "deterministic");
        assertTrue(r.vocab().containsKey("Ġtotal"), r.vocab().keySet().toString());
        BpeTrainer.write(r, tmp);
        assertTrue(Files.exists(tmp.resolve("tokenizer_config.json")));
        Tokenizer tok = Tokenizers.loadDirectory(tmp);
        assertEquals(r.size(), tok.vocabSize());
        // frequent words become one token; every digit stays a token of its own
        int[] ids = tok.encode("What is the total?");
        assertEquals(5, ids.length, java.util.Arrays.toString(ids)); // What, " is", " the", " total", "?"
        int[] digits = tok.encode("36.10");
        assertEquals(5, digits.length);
        // unseen text (other scripts, emoji, control characters) still round-trips through the byte tokens
        for (String s : List.of("Grüße, 東京 🧾 \t\n  x", "<img> is text here", "")) assertEquals(s, tok.decode(tok.encode(s), false));
        // InternVL's added tokens come after the learned vocabulary and are special
        int ctx = r.addedTokenId("<IMG_CONTEXT>");
        assertEquals(r.vocab().size() + BpeTrainer.INTERNVL_ADDED_TOKENS.size() - 1, ctx);
        assertEquals(ctx, tok.tokenId("<IMG_CONTEXT>"));
        assertTrue(tok.isSpecial(ctx));
        assertArrayEquals(new int[] {r.addedTokenId("<|im_start|>")}, tok.encode("<|im_start|>", true));
        // the words the trainer counts are the runtime's pre-tokens
        assertEquals(List.of("What", "Ġis", "Ġ", "Ġthe", "Ġ", "3", "6", "."), ByteLevelBpeTokenizer.qwen2Words("What is  the 36."));
    }

    @Test
    void stopsWhenNoPairIsFrequentEnough() {
        BpeTrainer t = new BpeTrainer();
        t.add("ab ab cd");
        BpeTrainer.Result r = t.train(1000, 2);
        assertEquals(List.of("a b"), r.merges()); // "ab" twice; " ab", "cd" once each after it
        assertEquals(257, r.vocab().size());
    }
}
