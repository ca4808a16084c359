package org.tessera.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.core.io.Npy;
import picocli.CommandLine;

/** {@code tessera forward} end to end on the golden internvl-tiny-a files, and its errors. */
public class ForwardCommandTest {
    /** The golden model directory kept with tessera-model's tests (Maven runs tests from the module directory). */
    static final Path GOLDEN = Path.of("../tessera-model/src/test/resources/internvl-tiny-a");

    @TempDir
    Path dir;

    /** A CLI invocation's exit code and output (shared by the command tests of other packages). */
    public record Run(int code, String out, String err) {}

    public static Run run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    static double relError(float[] a, float[] b) {
        double e = 0, m = 0;
        for (int i = 0; i < a.length; i++) {
            e = Math.max(e, Math.abs(a[i] - b[i]));
            m = Math.max(m, Math.abs(b[i]));
        }
        return e / m;
    }

    @Test
    void goldenForward() {
        assertTrue(Files.isDirectory(GOLDEN), "golden model directory missing at " + GOLDEN.toAbsolutePath());
        Path logits = dir.resolve("logits.npy"), emb = dir.resolve("e.npy"), vit = dir.resolve("v.npy");
        Run r = run("forward", "--model", GOLDEN.toString(), "--pixel-values", GOLDEN.resolve("pixel_values.npy").toString(),
                "--input-ids", GOLDEN.resolve("input_ids.npy").toString(), "--out", logits.toString(),
                "--image-embeds-out", emb.toString(), "--vit-out", vit.toString());
        assertEquals(0, r.code(), r.err());
        for (String[] pair : new String[][] {{"logits.npy", logits.toString()}, {"image_embeds.npy", emb.toString()},
                {"vit_last_hidden.npy", vit.toString()}}) {
            Npy.Floats want = Npy.readFloats(GOLDEN.resolve(pair[0]));
            Npy.Floats got = Npy.readFloats(Path.of(pair[1]));
            assertArrayEquals(want.shape(), got.shape(), pair[0]);
            double rel = relError(got.data(), want.data());
            assertTrue(rel <= 1e-4, pair[0] + ": relative error " + rel);
        }
        assertTrue(r.out().contains("logits [30, 300]"), r.out());
    }

    @Test
    void wrongPixelShape() {
        Path pv = dir.resolve("pv.npy");
        Npy.writeFloats(pv, new float[2 * 3 * 28 * 28], 2, 3, 28, 28);
        Run r = run("forward", "--model", GOLDEN.toString(), "--pixel-values", pv.toString(),
                "--input-ids", GOLDEN.resolve("input_ids.npy").toString(), "--out", dir.resolve("o.npy").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("shape [2, 3, 28, 28] does not fit the model, which takes [tiles, 3, 56, 56]"), r.err());
    }

    @Test
    void imageTokenCountMismatch() {
        // Two tiles' pixels against ids made for three tiles (12 IMG_CONTEXT ids, 4 per tile).
        Npy.Floats pv = Npy.readFloats(GOLDEN.resolve("pixel_values.npy"));
        Path two = dir.resolve("two.npy");
        Npy.writeFloats(two, Arrays.copyOf(pv.data(), 2 * 3 * 56 * 56), 2, 3, 56, 56);
        Run r = run("forward", "--model", GOLDEN.toString(), "--pixel-values", two.toString(),
                "--input-ids", GOLDEN.resolve("input_ids.npy").toString(), "--out", dir.resolve("o.npy").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("hold 12 <IMG_CONTEXT> tokens (id 299) but the image gives 8 embeddings (2 tiles × 4"), r.err());
        assertTrue(Files.notExists(dir.resolve("o.npy")));
    }

    @Test
    void missingFiles() {
        Run r = run("forward", "--model", GOLDEN.toString(), "--input-ids", dir.resolve("nope.npy").toString(),
                "--out", dir.resolve("o.npy").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("--input-ids " + dir.resolve("nope.npy") + ": no such file"), r.err());
        r = run("forward", "--model", dir.resolve("nomodel").toString(), "--input-ids", GOLDEN.resolve("input_ids.npy").toString(),
                "--out", dir.resolve("o.npy").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("not a model directory"), r.err());
    }

    @Test
    void textOnlyPromptNeedsNoPixels() {
        Path ids = dir.resolve("ids.npy");
        Npy.writeLongs(ids, new long[] {1, 2, 3, 4}, 4);
        Path out = dir.resolve("o.npy");
        Run r = run("forward", "--model", GOLDEN.toString(), "--input-ids", ids.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertArrayEquals(new int[] {4, 300}, Npy.readFloats(out).shape());
    }
}
