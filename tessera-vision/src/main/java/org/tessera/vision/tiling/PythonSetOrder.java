package org.tessera.vision.tiling;

import java.util.ArrayList;
import java.util.List;

/**
 * The iteration order of a CPython 3.11 {@code set} of (int, int) tuples built by adding them one by one.
 *
 * <p>InternVL's {@code dynamic_preprocess} builds its candidate grids as a {@code set} and sorts it by tile count
 * with Python's stable sort, so among grids with the same tile count the set's iteration order decides which one
 * is tried first, and on an exact tie in aspect-ratio difference that order decides the winner. Small-int tuple
 * hashes are not randomised, so the order is a fixed function of the inserted tuples, which this class computes
 * by replaying CPython's tuple hash (xxHash-style, since 3.8) and its open-addressing set table (linear probes of
 * 9, then perturbed probing; growth to 4 × used when fill reaches 3/5 of the table).
 */
final class PythonSetOrder {
    private static final long XXPRIME_1 = 0x9E3779B185EBCA87L; // 11400714785074694791
    private static final long XXPRIME_2 = 0xC2B2AE3D27D4EB4FL; // 14029467366897019727
    private static final long XXPRIME_5 = 0x27D4EB2F165667C5L; // 2870177450012600261
    private static final int LINEAR_PROBES = 9;
    private static final int PERTURB_SHIFT = 5;
    private static final int MIN_SIZE = 8;

    private PythonSetOrder() {}

    /** CPython's hash of the tuple (a, b) of small non-negative ints (an int hashes to itself). */
    static long tupleHash(long a, long b) {
        long acc = XXPRIME_5;
        for (long lane : new long[] {a, b}) {
            acc += lane * XXPRIME_2;
            acc = Long.rotateLeft(acc, 31);
            acc *= XXPRIME_1;
        }
        acc += 2L ^ (XXPRIME_5 ^ 3527539L);
        return acc == -1L ? 1546275796L : acc;
    }

    /** Iteration order of {@code set()} after adding {@code tuples} in this order (duplicates ignored). */
    static List<int[]> iterationOrder(List<int[]> tuples) {
        int[][] keys = new int[MIN_SIZE][];
        long[] hashes = new long[MIN_SIZE];
        int fill = 0;
        int used = 0;
        for (int[] t : tuples) {
            long h = tupleHash(t[0], t[1]);
            if (keys[probe(keys, hashes, t, h)] != null) continue; // already in the set
            insert(keys, hashes, t, h);
            fill++;
            used++;
            int mask = keys.length - 1;
            if ((long) fill * 5 >= (long) mask * 3) {
                int minUsed = used > 50000 ? used * 2 : used * 4;
                int newSize = MIN_SIZE;
                while (newSize <= minUsed) newSize <<= 1;
                int[][] newKeys = new int[newSize][];
                long[] newHashes = new long[newSize];
                for (int i = 0; i < keys.length; i++) {
                    if (keys[i] != null) insert(newKeys, newHashes, keys[i], hashes[i]);
                }
                keys = newKeys;
                hashes = newHashes;
                fill = used; // a rebuilt table has no deleted slots
            }
        }
        List<int[]> out = new ArrayList<>(used);
        for (int[] k : keys) {
            if (k != null) out.add(k);
        }
        return out;
    }

    /**
     * The slot CPython's probe sequence for {@code t} stops at: the slot holding an equal key, or else the first empty
     * one, where {@code set.add} would put it (the table never has deleted slots here).
     */
    private static int probe(int[][] keys, long[] hashes, int[] t, long h) {
        int mask = keys.length - 1;
        long perturb = h;
        int i = (int) (h & mask);
        while (true) {
            int probes = (i + LINEAR_PROBES <= mask) ? LINEAR_PROBES : 0;
            for (int j = 0; j <= probes; j++) {
                int[] k = keys[i + j];
                if (k == null || (hashes[i + j] == h && k[0] == t[0] && k[1] == t[1])) return i + j;
            }
            perturb >>>= PERTURB_SHIFT;
            i = (int) ((i * 5L + 1 + perturb) & mask);
        }
    }

    /** Places a key known to be absent in the first free slot of its probe sequence. */
    private static void insert(int[][] keys, long[] hashes, int[] t, long h) {
        int slot = probe(keys, hashes, t, h);
        keys[slot] = t;
        hashes[slot] = h;
    }
}
