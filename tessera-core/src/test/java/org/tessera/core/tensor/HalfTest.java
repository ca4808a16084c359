package org.tessera.core.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class HalfTest {

    /** Independent oracle: pick the nearer of the two bf16 neighbours with exact decimal arithmetic, ties to even. */
    private static short bf16Oracle(float f) {
        int bits = Float.floatToRawIntBits(f);
        short down = (short) (bits >>> 16);                 // truncation: towards zero in magnitude
        short up = (short) ((bits >>> 16) + 1);             // next bf16 away from zero (may be infinity)
        if ((bits & 0xFFFF) == 0) return down;
        BigDecimal x = new BigDecimal(f);
        BigDecimal dDown = x.subtract(new BigDecimal(Half.bf16ToFloat(down))).abs();
        float upValue = Half.bf16ToFloat(up);
        // Above the largest finite bf16 the next step would be 2^128; IEEE rounding compares against that value
        // and overflows to infinity at or past the halfway point.
        BigDecimal upExact = Float.isInfinite(upValue)
                ? new BigDecimal(2).pow(128).multiply(BigDecimal.valueOf(f < 0 ? -1 : 1))
                : new BigDecimal(upValue);
        BigDecimal dUp = x.subtract(upExact).abs();
        int c = dDown.compareTo(dUp);
        if (c < 0) return down;
        if (c > 0) return up;
        return (down & 1) == 0 ? down : up;
    }

    @Property(tries = 3000)
    void bf16RoundsToNearestEven(@ForAll int bits) {
        float f = Float.intBitsToFloat(bits);
        if (Float.isNaN(f)) {
            assertTrue(Float.isNaN(Half.bf16ToFloat(Half.floatToBf16(f))), "NaN must stay NaN");
            return;
        }
        assertEquals(bf16Oracle(f), Half.floatToBf16(f), () -> "float " + f + " (0x" + Integer.toHexString(bits) + ")");
    }

    /** Random ints almost never hit a tie; these put the low 16 bits exactly at and around the halfway point. */
    @Property(tries = 2000)
    void bf16TiesAndNearTies(@ForAll short high, @ForAll("nearHalf") int low) {
        bf16RoundsToNearestEven((high << 16) | low);
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<Integer> nearHalf() {
        return net.jqwik.api.Arbitraries.of(0x8000, 0x7FFF, 0x8001, 0x0000, 0xFFFF, 0x0001);
    }

    @Property(tries = 2000)
    void bf16WideningIsExactAndRoundTrips(@ForAll short bits) {
        float f = Half.bf16ToFloat(bits);
        assertEquals(Float.floatToRawIntBits(f) >>> 16, bits & 0xFFFF);
        if (!Float.isNaN(f)) assertEquals(bits, Half.floatToBf16(f));
    }

    @Test
    void bf16Ties() {
        // 1 + 2^-8 is exactly halfway between 1 and 1 + 2^-7: ties to even keeps 1.0 (mantissa ...0).
        assertEquals(1.0f, Half.roundToBf16(1f + 0x1p-8f));
        // 1 + 3*2^-8 is halfway between 1+2^-7 (odd) and 1+2^-6 (even): goes up to the even one.
        assertEquals(1f + 0x1p-6f, Half.roundToBf16(1f + 3 * 0x1p-8f));
        // Just above halfway rounds up.
        assertEquals(1f + 0x1p-7f, Half.roundToBf16(Math.nextUp(1f + 0x1p-8f)));
        assertEquals(-1.0f, Half.roundToBf16(-1f - 0x1p-8f));
    }

    @Test
    void bf16SpecialValues() {
        assertEquals(Float.POSITIVE_INFINITY, Half.roundToBf16(Float.MAX_VALUE), "overflow rounds to infinity");
        assertEquals(Float.NEGATIVE_INFINITY, Half.roundToBf16(Float.NEGATIVE_INFINITY));
        assertEquals(0x8000, Half.floatToBf16(-0f) & 0xFFFF, "negative zero keeps its sign");
        // A NaN whose payload is only in the low bits would become infinity if truncated.
        float lowNaN = Float.intBitsToFloat(0x7F800001);
        assertTrue(Float.isNaN(Half.bf16ToFloat(Half.floatToBf16(lowNaN))));
        assertTrue(Half.floatToBf16(Float.intBitsToFloat(0xFF800001)) < 0, "NaN keeps its sign bit");
        // Subnormal float32 values round like any other.
        assertEquals(0f, Half.roundToBf16(Float.MIN_VALUE));
    }

    @Test
    void f16MatchesIeee() {
        assertEquals(65504f, Half.roundToF16(65504f));
        assertEquals(Float.POSITIVE_INFINITY, Half.roundToF16(65520f), "65520 is halfway to 2^16 and rounds to infinity");
        assertEquals(65504f, Half.roundToF16(65519f));
        assertEquals(0x1p-24f, Half.roundToF16(0x1p-24f), "smallest f16 subnormal");
        assertEquals(0f, Half.roundToF16(0x1p-26f));
        assertEquals(1f, Half.roundToF16(1f + 0x1p-11f), "tie to even");
        assertEquals(0x3C00, Half.floatToF16(1f));
        assertEquals(-2f, Half.f16ToFloat((short) 0xC000));
    }
}
