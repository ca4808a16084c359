package org.tessera.model.text;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class Utf8Test {

    static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) b[i] = (byte) v[i];
        return b;
    }

    @Test
    void maximalSubpartsAsInTheUnicodeStandard() {
        // The example of Unicode 15 section 3.9 (Table 3-8): 61 F1 80 80 E1 80 C2 62 80 63 80 BF 64.
        byte[] b = bytes(0x61, 0xF1, 0x80, 0x80, 0xE1, 0x80, 0xC2, 0x62, 0x80, 0x63, 0x80, 0xBF, 0x64);
        assertEquals("a\uFFFD\uFFFD\uFFFDb\uFFFDc\uFFFD\uFFFDd", Utf8.decodeLossy(b));
        // SentencePiece: one U+FFFD per byte that does not start a complete character.
        assertEquals("a\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFDb\uFFFDc\uFFFD\uFFFDd", Utf8.decodePerByte(b, 0, b.length));
    }

    @Test
    void overlongsSurrogatesAndOutOfRange() {
        assertEquals("\uFFFD\uFFFD", Utf8.decodeLossy(bytes(0xC0, 0xAF)));              // overlong '/'
        assertEquals("\uFFFD\uFFFD\uFFFD", Utf8.decodeLossy(bytes(0xE0, 0x80, 0xAF)));  // E0 needs A0..BF next
        assertEquals("\uFFFD\uFFFD\uFFFD", Utf8.decodeLossy(bytes(0xED, 0xA0, 0x80)));  // a surrogate
        assertEquals("\uFFFD\uFFFD\uFFFD\uFFFD", Utf8.decodeLossy(bytes(0xF4, 0x90, 0x80, 0x80))); // > U+10FFFF
        assertEquals("\uFFFD", Utf8.decodeLossy(bytes(0xF0, 0x9F, 0x98)));              // truncated emoji: one subpart
        assertEquals("😀", Utf8.decodeLossy(bytes(0xF0, 0x9F, 0x98, 0x80)));
        assertEquals("\uD7FF\uE000\uDBFF\uDFFF", Utf8.decodeLossy("\uD7FF\uE000\uDBFF\uDFFF".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void encodeReplacesLoneSurrogates() {
        assertArrayEquals(bytes(0x61, 0xEF, 0xBF, 0xBD, 0x62), Utf8.encode("a\uDC00b"));
        assertArrayEquals("😀é".getBytes(StandardCharsets.UTF_8), Utf8.encode("😀é"));
    }

    @Provide
    Arbitrary<byte[]> messyBytes() {
        // Mostly UTF-8 lead and continuation bytes so that partial and broken sequences are common.
        Arbitrary<Integer> b = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.integers().between(0x80, 0xBF)),
                net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(0xC0, 0xFF)),
                net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(0x20, 0x7F)));
        return b.list().ofMaxSize(24).map(l -> {
            byte[] out = new byte[l.size()];
            for (int i = 0; i < out.length; i++) out[i] = (byte) (int) l.get(i);
            return out;
        });
    }

    @Property(tries = 2000)
    void streamsEqualBatchDecodingWhateverTheChunking(@ForAll("messyBytes") byte[] b, @ForAll long seed) {
        java.util.Random r = new java.util.Random(seed);
        Utf8.LossyStream lossy = new Utf8.LossyStream();
        Utf8.PerByteStream perByte = new Utf8.PerByteStream();
        StringBuilder a = new StringBuilder(), c = new StringBuilder();
        int i = 0;
        while (i < b.length) {
            int n = 1 + r.nextInt(Math.min(4, b.length - i));
            a.append(lossy.append(b, i, n));
            for (int k = i; k < i + n; k++) c.append(perByte.append(b[k] & 0xFF));
            i += n;
        }
        a.append(lossy.finish());
        c.append(perByte.finish());
        assertEquals(Utf8.decodeLossy(b), a.toString());
        assertEquals(Utf8.decodePerByte(b, 0, b.length), c.toString());
    }

    @Property(tries = 1000)
    void validUtf8DecodesLikeTheJdk(@ForAll String s) {
        String clean = new String(Utf8.encode(s), StandardCharsets.UTF_8);
        byte[] b = clean.getBytes(StandardCharsets.UTF_8);
        assertEquals(clean, Utf8.decodeLossy(b));
        assertEquals(clean, Utf8.decodePerByte(b, 0, b.length));
    }
}
