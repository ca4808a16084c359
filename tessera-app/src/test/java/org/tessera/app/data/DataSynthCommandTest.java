package org.tessera.app.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code tessera data synth} as a script calls it, through the real command line. */
class DataSynthCommandTest {
    @TempDir
    Path dir;

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        CommandLine cl = org.tessera.app.Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        String[] full = new String[args.length + 2];
        full[0] = "data";
        full[1] = "synth";
        System.arraycopy(args, 0, full, 2, args.length);
        int code = cl.execute(full);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void writesADataSetAndAContactSheet() throws IOException {
        Path out = dir.resolve("synth");
        Path sheet = dir.resolve("report/sheet.png");
        Run r = run("--kind", "charts", "--count", "3", "--test-count", "2", "--seed", "5", "--out", out.toString(),
                "--max-size", "640", "--vocab", "digits", "--questions-per-image", "2", "--contact-sheet", sheet.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("synth_charts: 3 training images (6 questions), 2 test images (4 questions)"), r.out());
        assertTrue(r.out().contains("images/min"), r.out());
        List<String> train = Files.readAllLines(out.resolve("train.jsonl"));
        assertEquals(3, train.size());
        JsonNode first = new ObjectMapper().readTree(train.get(0));
        assertEquals("charts", first.get("kind").asText());
        assertEquals(4, first.get("conversations").size());
        assertEquals(4, Files.readAllLines(out.resolve("test.jsonl")).size());
        JsonNode meta = new ObjectMapper().readTree(out.resolve("meta.json").toFile());
        assertEquals(3, meta.get("synth_charts").get("length").asInt());
        BufferedImage bi = ImageIO.read(sheet.toFile());
        assertTrue(bi.getWidth() > 600 && bi.getHeight() > 300);
    }

    @Test
    void easyPreset() throws IOException {
        Run r = run("--preset", "easy", "--count", "2", "--test-count", "0", "--out", dir.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode first = new ObjectMapper().readTree(Files.readAllLines(dir.resolve("train.jsonl")).get(0));
        assertEquals("receipts", first.get("kind").asText());
        assertEquals("<image>\nWhat is the total?", first.get("conversations").get(0).get("value").asText());
        assertTrue(Files.readString(dir.resolve("test.jsonl")).isEmpty());
    }

    @Test
    void badArgumentsAreUsageErrors() throws IOException {
        Run r = run("--count", "3", "--out", dir.toString(), "--kind", "posters");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("unknown kind 'posters'"), r.err());
        r = run("--count", "3", "--out", dir.toString(), "--min-text-px", "40");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--min-text-px 40 does not fit pages of 448 px"), r.err());
        r = run("--count", "0", "--out", dir.toString());
        assertTrue(r.err().contains("--count must be between 1"), r.err());
        r = run("--out", dir.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("Missing required option: '--count=N'"), r.err());
        r = run("--count", "x", "--out", dir.toString());
        assertEquals(2, r.code());
        // a folder that holds something else is refused with a one-line error
        Files.writeString(dir.resolve("mine.txt"), "x");
        r = run("--count", "1", "--out", dir.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("tessera: ") && r.err().contains("--overwrite"), r.err());
    }
}
