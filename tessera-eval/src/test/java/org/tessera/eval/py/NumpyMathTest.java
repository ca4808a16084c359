package org.tessera.eval.py;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

class NumpyMathTest {

    @Test
    void meanSumsInNumpysOrder() {
        // np.mean([...]) == 0.8063492063492065 under numpy 2.4; a left-to-right sum gives ...064.
        double[] a = {0.9, 0.9, 1.0, 0.8571428571428572, 1.0, 0.7, 0.9, 0.0, 1.0};
        assertEquals(0.8063492063492065, NumpyMath.mean(a));
        double naive = 0;
        for (double x : a) naive += x;
        assertNotEquals(naive / a.length, NumpyMath.mean(a));
        assertEquals(2.0, NumpyMath.mean(new double[] {1, 2, 3}));
        assertEquals(Double.NaN, NumpyMath.mean(new double[0]));
    }

    @Test
    void largeArraysSplitRecursively() {
        double[] a = new double[1000];
        for (int k = 0; k < a.length; k++) a[k] = (k % 7) / 3.0;
        // The recursion must cover every element exactly once.
        double exact = 0;
        for (int k = 0; k < a.length; k++) exact += (k % 7);
        assertEquals(exact / 3.0 / a.length, NumpyMath.mean(a), 1e-12);
    }
}
