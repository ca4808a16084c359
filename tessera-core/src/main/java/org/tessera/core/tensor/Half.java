package org.tessera.core.tensor;

/**
 * Conversions between float32 and the two 16-bit float formats in checkpoints. Values travel as the raw
 * 16 bits in a {@code short} so callers can move them to and from memory without interpretation.
 *
 * <p>bfloat16 is the upper half of a float32: widening is exact (a shift), narrowing rounds to nearest,
 * ties to even, exactly as PyTorch's {@code tensor.to(torch.bfloat16)} does, so weights we convert match
 * the ones a Python pipeline would produce bit for bit. float16 (IEEE binary16) goes through the JDK's
 * {@link Float#float16ToFloat} / {@link Float#floatToFloat16}, which already round to nearest even and
 * handle subnormals, infinities and NaN.
 */
public final class Half {
    private Half() {}

    /** Widens a bfloat16 (raw bits) to float32; exact for every value, NaN payloads included. */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /**
     * Narrows float32 to bfloat16 (raw bits), rounding to nearest with ties to even. Overflow rounds to
     * infinity as IEEE rounding requires. NaN stays NaN (quiet), with its sign: plain truncation could turn a
     * NaN whose payload lives only in the low 16 bits into infinity, and rounding could carry into the exponent.
     */
    public static short floatToBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if ((bits & 0x7FFF_FFFF) > 0x7F80_0000) {           // NaN
            return (short) ((bits >>> 16) | 0x0040);
        }
        // Adding 0x7FFF plus the lowest kept bit rounds half-way cases towards the even neighbour; a carry
        // out of the mantissa correctly bumps the exponent (and the largest finite values up to infinity).
        int lsb = (bits >>> 16) & 1;
        return (short) ((bits + 0x7FFF + lsb) >>> 16);
    }

    /** Widens an IEEE half (raw bits) to float32; exact. */
    public static float f16ToFloat(short bits) {
        return Float.float16ToFloat(bits);
    }

    /** Narrows float32 to IEEE half (raw bits) with round to nearest even; overflow gives infinity. */
    public static short floatToF16(float value) {
        return Float.floatToFloat16(value);
    }

    /** Rounds a float through bfloat16 and back: what a value becomes when stored as BF16. */
    public static float roundToBf16(float value) {
        return bf16ToFloat(floatToBf16(value));
    }

    /** Rounds a float through float16 and back: what a value becomes when stored as F16. */
    public static float roundToF16(float value) {
        return f16ToFloat(floatToF16(value));
    }
}
