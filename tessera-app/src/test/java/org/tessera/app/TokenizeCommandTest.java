package org.tessera.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tessera.app.ForwardCommandTest.GOLDEN;
import static org.tessera.app.ForwardCommandTest.run;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.model.text.ByteLevelBpeTokenizer;

/** {@code tessera tokenize} on the golden tokenizer. */
class TokenizeCommandTest {
    @TempDir
    Path dir;

    @Test
    void specialTokenInTheTextIsItsId() {
        ForwardCommandTest.Run r = run("tokenize", "--model", GOLDEN.toString(), "<IMG_CONTEXT>");
        assertEquals(0, r.code(), r.err());
        assertEquals("[299]", r.out().strip());
    }

    @Test
    void printsWhatTheTokenizerEncodesWithNothingAdded() {
        String text = "<|im_start|>user\n<img><IMG_CONTEXT><IMG_CONTEXT></img>\nhello, world<|im_end|>";
        ForwardCommandTest.Run r = run("tokenize", "--model", GOLDEN.toString(), text);
        assertEquals(0, r.code(), r.err());
        int[] ids = ByteLevelBpeTokenizer.loadDirectory(GOLDEN).encode(text, false);
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < ids.length; i++) sb.append(i > 0 ? ", " : "").append(ids[i]);
        assertEquals(sb.append(']').toString(), r.out().strip());
        assertTrue(r.out().startsWith("[291, "), r.out());
        assertTrue(r.out().strip().endsWith(", 292]"), r.out());
    }

    @Test
    void emptyTextIsAnEmptyArray() {
        ForwardCommandTest.Run r = run("tokenize", "--model", GOLDEN.toString(), "");
        assertEquals(0, r.code(), r.err());
        assertEquals("[]", r.out().strip());
    }

    @Test
    void directoryWithoutATokenizerIsAClearError() {
        ForwardCommandTest.Run r = run("tokenize", "--model", dir.toString(), "hi");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("no tokenizer found"), r.err());
    }
}
