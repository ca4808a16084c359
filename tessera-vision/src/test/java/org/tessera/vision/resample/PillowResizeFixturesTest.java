package org.tessera.vision.resample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tessera.vision.image.RgbImage;

/**
 * Every case that make_fixtures.py had Pillow 9.4 resize must come out byte-identical, through the vector kernels,
 * the scalar kernels and the plain reference port (so a failure says whether the weights or a kernel set is wrong).
 */
class PillowResizeFixturesTest {
    record Case(String source, int width, int height, Filter filter, String expected) {
        @Override
        public String toString() {
            return source + " -> " + width + "x" + height + " " + filter;
        }
    }

    static List<Case> cases() throws IOException {
        List<Case> cases = new ArrayList<>();
        try (var in = Objects.requireNonNull(PillowResizeFixturesTest.class.getResourceAsStream("/resample/cases.tsv"));
             var r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.isBlank() || line.startsWith("#")) continue;
                String[] f = line.split("\t");
                cases.add(new Case(f[0], Integer.parseInt(f[1]), Integer.parseInt(f[2]), Filter.valueOf(f[3]), f[4]));
            }
        }
        // A silently empty manifest would make this test pass vacuously.
        assertFalse(cases.size() < 50, "expected the full fixture set, found " + cases.size() + " cases");
        return cases;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesPillowExactly(Case c) {
        RgbImage src = Png.resource("/resample/" + c.source());
        RgbImage expected = Png.resource("/resample/" + c.expected());
        assertEquals("", Png.diff(expected, PillowResize.resize(src, c.width(), c.height(), c.filter(), true)), "vector kernels");
        assertEquals("", Png.diff(expected, PillowResize.resize(src, c.width(), c.height(), c.filter(), false)), "scalar kernels");
        assertEquals("", Png.diff(expected, PillowReference.resize(src, c.width(), c.height(), c.filter())), "reference");
    }
}
