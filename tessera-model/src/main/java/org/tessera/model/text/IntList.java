package org.tessera.model.text;

import java.util.Arrays;

/** A growable {@code int[]} without boxing. */
final class IntList {
    private int[] a;
    private int n;

    IntList(int capacity) {
        a = new int[Math.max(4, capacity)];
    }

    void add(int v) {
        if (n == a.length) a = Arrays.copyOf(a, a.length * 2);
        a[n++] = v;
    }

    void addAll(int[] v) {
        if (n + v.length > a.length) a = Arrays.copyOf(a, Math.max(a.length * 2, n + v.length));
        System.arraycopy(v, 0, a, n, v.length);
        n += v.length;
    }

    int size() {
        return n;
    }

    int get(int i) {
        if (i < 0 || i >= n) throw new IndexOutOfBoundsException(i + " of " + n);
        return a[i];
    }

    void clear() {
        n = 0;
    }

    /** Removes element i, moving the later ones down. */
    void removeAt(int i) {
        if (i < 0 || i >= n) throw new IndexOutOfBoundsException(i + " of " + n);
        System.arraycopy(a, i + 1, a, i, n - i - 1);
        n--;
    }

    int[] toArray() {
        return Arrays.copyOf(a, n);
    }
}
