package org.tessera.vision.resample;

import static org.tessera.vision.resample.PillowResize.HALF;
import static org.tessera.vision.resample.PillowResize.PRECISION_BITS;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API forms of Pillow's two 8-bit passes, producing the same integer sums and so the same bytes as the
 * scalar kernels in {@link PillowResize}. Each lane holds one channel sample's 32-bit sum; one weight multiplies
 * 8 contiguous bytes widened to 8 ints.
 * <ul>
 *   <li>Vertical: a row's bytes are already contiguous, and all of them share a tap's weight.</li>
 *   <li>Horizontal: 8 source rows are transposed byte-wise ({@code strip[j * 8 + r]} is byte j of row r), so the
 *       8 rows' values of one channel sample are contiguous and share the weight; the results are transposed back.</li>
 * </ul>
 * (C2 does not auto-vectorise the byte-to-int widening multiply-add these need, so plain loops stay scalar.)
 */
final class VectorKernels {
    /** Rows per horizontal strip: one int lane per row. */
    static final int STRIP = 8;

    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_256;
    private static final VectorSpecies<Byte> BYTES = ByteVector.SPECIES_64;

    /**
     * The kernels use 8 int lanes fed from 8 bytes. On CPUs without 256-bit vectors the Vector API would emulate
     * them slowly, so only the scalar kernels run there.
     */
    static final boolean SUPPORTED = IntVector.SPECIES_PREFERRED.vectorBitSize() >= 256;

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private VectorKernels() {}

    /** Scratch for {@link #horizontalStrip}: a transposed source strip and a transposed result strip. */
    static byte[][] stripScratch(int inW, int outW) {
        return new byte[][] {new byte[inW * 3 * STRIP], new byte[outW * 3 * STRIP]};
    }

    /**
     * The vertical pass over bytes [0, len) of one output row, each sum held in a register across the window.
     * Returns how many bytes it did (a multiple of 8); the caller finishes the rest.
     */
    static int vertical(byte[] in, int[] offs, int n, int[] w, int wOff, byte[] out, int outOff, int len) {
        int i = 0;
        for (; i + 32 <= len; i += 32) {
            vertical32(in, offs, n, w, wOff, i, out, outOff + i);
        }
        for (; i + 8 <= len; i += 8) {
            IntVector acc = IntVector.broadcast(INTS, HALF);
            for (int t = 0; t < n; t++) {
                acc = acc.add(widen(in, offs[t] + i).mul(w[wOff + t]));
            }
            store8(acc, out, outOff + i);
        }
        return i;
    }

    /**
     * 32 bytes of a vertical output row: four independent sums per tap. Kept a small method called thousands of times
     * per resize: C2 compiles a method after enough calls, and until then Vector API code runs far slower, so the
     * sooner it is compiled the cheaper a fresh JVM's first resize.
     */
    private static void vertical32(byte[] in, int[] offs, int n, int[] w, int wOff, int i, byte[] out, int o) {
        IntVector a0 = IntVector.broadcast(INTS, HALF);
        IntVector a1 = a0;
        IntVector a2 = a0;
        IntVector a3 = a0;
        for (int t = 0; t < n; t++) {
            int p = offs[t] + i;
            int k = w[wOff + t];
            a0 = a0.add(widen(in, p).mul(k));
            a1 = a1.add(widen(in, p + 8).mul(k));
            a2 = a2.add(widen(in, p + 16).mul(k));
            a3 = a3.add(widen(in, p + 24).mul(k));
        }
        store8(a0, out, o);
        store8(a1, out, o + 8);
        store8(a2, out, o + 16);
        store8(a3, out, o + 24);
    }

    /**
     * The horizontal pass of the 8 rows of {@code inRowBytes} bytes from {@code inOff} into the 8 rows of
     * {@code outRowBytes} from {@code outOff}.
     */
    static void horizontalStrip(byte[] in, int inRowBytes, int inOff, byte[] out, int outRowBytes, int outOff,
                                PillowResize.Kernel kx, byte[][] scratch) {
        byte[] strip = scratch[0];
        byte[] result = scratch[1];
        transpose(in, inOff, inRowBytes, STRIP, inRowBytes, strip, 0, STRIP);
        int[] start = kx.start;
        int[] count = kx.count;
        int[] w = kx.weights;
        int stride = kx.stride;
        for (int xx = 0; xx < start.length; xx++) {
            // Source pixel x's R, G and B for the 8 rows are the 24 bytes from x * 24.
            pixel(strip, start[xx] * 24, count[xx], w, xx * stride, result, xx * 24);
        }
        transpose(result, 0, STRIP, outRowBytes, STRIP, out, outOff, outRowBytes);
    }

    /**
     * One output pixel of a strip, for its 8 rows: R, G and B sums over the n taps from {@code p}. Kept small and
     * called per pixel so that C2 compiles it early (see {@link #vertical32}).
     */
    private static void pixel(byte[] strip, int p, int n, int[] w, int kb, byte[] result, int o) {
        IntVector r = IntVector.broadcast(INTS, HALF);
        IntVector g = r;
        IntVector b = r;
        for (int t = 0; t < n; t++, p += 24) {
            int k = w[kb + t];
            r = r.add(widen(strip, p).mul(k));
            g = g.add(widen(strip, p + 8).mul(k));
            b = b.add(widen(strip, p + 16).mul(k));
        }
        store8(r, result, o);
        store8(g, result, o + 8);
        store8(b, result, o + 16);
    }

    private static IntVector widen(byte[] a, int off) {
        return (IntVector) ByteVector.fromArray(BYTES, a, off).convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0);
    }

    /** Pillow's clip8 on 8 lanes (shift down, saturate to 0..255), stored as 8 bytes. */
    private static void store8(IntVector acc, byte[] out, int off) {
        acc.lanewise(VectorOperators.ASHR, PRECISION_BITS).max(0).min(255)
                .convertShape(VectorOperators.I2B, BYTES, 0)
                .reinterpretAsBytes()
                .intoArray(out, off);
    }

    /**
     * {@code b[bOff + c * bStride + r] = a[aOff + r * aStride + c]} for r < rows, c < cols: the rows x cols byte
     * matrix at {@code a} written transposed at {@code b}, in 8x8 blocks held in longs, ragged edges byte by byte.
     */
    static void transpose(byte[] a, int aOff, int aStride, int rows, int cols, byte[] b, int bOff, int bStride) {
        int fullRows = rows & ~7;
        int fullCols = cols & ~7;
        for (int c = 0; c < fullCols; c += 8) {
            for (int r = 0; r < fullRows; r += 8) {
                int p = aOff + r * aStride + c;
                transpose8x8(
                        (long) LONGS.get(a, p), (long) LONGS.get(a, p + aStride),
                        (long) LONGS.get(a, p + 2 * aStride), (long) LONGS.get(a, p + 3 * aStride),
                        (long) LONGS.get(a, p + 4 * aStride), (long) LONGS.get(a, p + 5 * aStride),
                        (long) LONGS.get(a, p + 6 * aStride), (long) LONGS.get(a, p + 7 * aStride),
                        b, bOff + c * bStride + r, bStride);
            }
        }
        for (int r = 0; r < rows; r++) {
            for (int c = r < fullRows ? fullCols : 0; c < cols; c++) {
                b[bOff + c * bStride + r] = a[aOff + r * aStride + c];
            }
        }
    }

    /**
     * Transposes the 8x8 byte matrix whose row i is long {@code ai} (column c in bits 8c..8c+7) and stores row i of
     * the result at {@code dst[off + i * dstStride]}: swap the off-diagonal 4x4 blocks, then the off-diagonal 2x2
     * blocks inside each, then single bytes, each step a masked xor-swap between two rows.
     */
    private static void transpose8x8(long a0, long a1, long a2, long a3, long a4, long a5, long a6, long a7,
                                     byte[] dst, int off, int dstStride) {
        long t;
        final long m32 = 0x00000000FFFFFFFFL;
        t = ((a0 >>> 32) ^ a4) & m32; a0 ^= t << 32; a4 ^= t;
        t = ((a1 >>> 32) ^ a5) & m32; a1 ^= t << 32; a5 ^= t;
        t = ((a2 >>> 32) ^ a6) & m32; a2 ^= t << 32; a6 ^= t;
        t = ((a3 >>> 32) ^ a7) & m32; a3 ^= t << 32; a7 ^= t;
        final long m16 = 0x0000FFFF0000FFFFL;
        t = ((a0 >>> 16) ^ a2) & m16; a0 ^= t << 16; a2 ^= t;
        t = ((a1 >>> 16) ^ a3) & m16; a1 ^= t << 16; a3 ^= t;
        t = ((a4 >>> 16) ^ a6) & m16; a4 ^= t << 16; a6 ^= t;
        t = ((a5 >>> 16) ^ a7) & m16; a5 ^= t << 16; a7 ^= t;
        final long m8 = 0x00FF00FF00FF00FFL;
        t = ((a0 >>> 8) ^ a1) & m8; a0 ^= t << 8; a1 ^= t;
        t = ((a2 >>> 8) ^ a3) & m8; a2 ^= t << 8; a3 ^= t;
        t = ((a4 >>> 8) ^ a5) & m8; a4 ^= t << 8; a5 ^= t;
        t = ((a6 >>> 8) ^ a7) & m8; a6 ^= t << 8; a7 ^= t;
        LONGS.set(dst, off, a0);
        LONGS.set(dst, off + dstStride, a1);
        LONGS.set(dst, off + 2 * dstStride, a2);
        LONGS.set(dst, off + 3 * dstStride, a3);
        LONGS.set(dst, off + 4 * dstStride, a4);
        LONGS.set(dst, off + 5 * dstStride, a5);
        LONGS.set(dst, off + 6 * dstStride, a6);
        LONGS.set(dst, off + 7 * dstStride, a7);
    }
}
