package org.tessera.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Path;
import org.tessera.core.io.Npy;

/** Shared test helpers: the golden model directory and the relative-error measure the parity tests use. */
public final class Fixtures {
    private Fixtures() {}

    /** The internvl-tiny-a golden directory, copied into the test resources so a fresh clone needs nothing else. */
    public static Path goldenDir() {
        try {
            return Path.of(Fixtures.class.getResource("/internvl-tiny-a/config.json").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Npy.Floats goldenFloats(String name) {
        return Npy.readFloats(goldenDir().resolve(name));
    }

    public static int[] goldenIds() {
        long[] l = Npy.readLongs(goldenDir().resolve("input_ids.npy")).data();
        int[] ids = new int[l.length];
        for (int i = 0; i < l.length; i++) ids[i] = Math.toIntExact(l[i]);
        return ids;
    }

    /** max |actual − expected| / max |expected|: the measure the golden data's tolerance is stated in. */
    public static double relError(float[] actual, double[] expected) {
        if (actual.length != expected.length) throw new AssertionError("length " + actual.length + " vs " + expected.length);
        double maxErr = 0, maxRef = 0;
        for (int i = 0; i < actual.length; i++) {
            if (!Double.isFinite(actual[i])) return Double.POSITIVE_INFINITY;
            maxErr = Math.max(maxErr, Math.abs(actual[i] - expected[i]));
            maxRef = Math.max(maxRef, Math.abs(expected[i]));
        }
        return maxErr / maxRef;
    }

    public static double relError(float[] actual, float[] expected) {
        double[] e = new double[expected.length];
        for (int i = 0; i < e.length; i++) e[i] = expected[i];
        return relError(actual, e);
    }

    /** Asserts the relative error is within {@code tol} and returns it (tests print it for the record). */
    public static double assertClose(String what, float[] actual, double[] expected, double tol) {
        double r = relError(actual, expected);
        System.out.printf("%-40s rel. error %.3e (tolerance %.0e)%n", what, r, tol);
        assertTrue(r <= tol, what + ": relative error " + r + " exceeds " + tol);
        return r;
    }

    public static double assertClose(String what, float[] actual, float[] expected, double tol) {
        double[] e = new double[expected.length];
        for (int i = 0; i < e.length; i++) e[i] = expected[i];
        return assertClose(what, actual, e, tol);
    }

    public static void assertShape(int[] expected, Npy.Floats f) {
        assertArrayEquals(expected, f.shape());
    }
}
