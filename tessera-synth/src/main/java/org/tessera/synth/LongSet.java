package org.tessera.synth;

import java.util.Arrays;

/** An open-addressing set of longs: the content keys of millions of samples without boxing. */
final class LongSet {
    private static final long EMPTY = 0;
    private long[] table = new long[1024];
    private boolean hasZero;
    private int size;

    boolean add(long v) {
        if (v == EMPTY) {
            boolean was = hasZero;
            hasZero = true;
            return !was;
        }
        if ((size + 1) * 2 > table.length) grow();
        int i = slot(v, table.length);
        while (table[i] != EMPTY) {
            if (table[i] == v) return false;
            i = (i + 1) & (table.length - 1);
        }
        table[i] = v;
        size++;
        return true;
    }

    boolean contains(long v) {
        if (v == EMPTY) return hasZero;
        int i = slot(v, table.length);
        while (table[i] != EMPTY) {
            if (table[i] == v) return true;
            i = (i + 1) & (table.length - 1);
        }
        return false;
    }

    int size() {
        return size + (hasZero ? 1 : 0);
    }

    private static int slot(long v, int n) {
        return (int) (Rng.mix(v) & (n - 1));
    }

    private void grow() {
        long[] old = table;
        table = new long[old.length * 2];
        for (long v : old) {
            if (v == EMPTY) continue;
            int i = slot(v, table.length);
            while (table[i] != EMPTY) i = (i + 1) & (table.length - 1);
            table[i] = v;
        }
    }

    @Override
    public String toString() {
        return "LongSet[" + size() + "]" + (table.length < 0 ? Arrays.toString(table) : "");
    }
}
