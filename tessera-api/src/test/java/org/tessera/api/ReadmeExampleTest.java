package org.tessera.api;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's Java example is this module's examples.AskExample, word for word, and it runs. */
class ReadmeExampleTest {
    static final Path SOURCE = Path.of("src/test/java/examples/AskExample.java");

    @Test
    void readmeShowsTheCompiledExample() throws Exception {
        String readme = Files.readString(Path.of("../README.md"));
        String src = Files.readString(SOURCE);
        String body = src.substring(src.indexOf("import java.nio.file.Path;")).strip();
        assertTrue(readme.contains(body), "README.md must contain " + SOURCE + " from its imports on (update the README's Java API section)");
    }

    @Test
    void exampleRunsOnTheTinyModel() {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            examples.AskExample.main(new String[] {VisionLanguageModelTest.GOLDEN.toString(), "../examples/receipt.png"});
        } finally {
            System.setOut(old);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains(" tiles, ") && out.contains(" prompt tokens, "), out);
    }
}
