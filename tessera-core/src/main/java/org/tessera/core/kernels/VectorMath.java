package org.tessera.core.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Vector math shared by the kernels, small enough for C2 to inline into their loops (so no vector is boxed). */
final class VectorMath {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;

    private VectorMath() {}

    /**
     * e^x for x ≤ 0 (softmax and GELU-tail arguments; −∞ gives 0): x = n·ln 2 + r with |r| ≤ ln2/2 (ln 2 in two
     * parts, so r is exact to ~2⁻³⁴), e^r by Cephes' degree-7 expf polynomial, and 2ⁿ applied as two factors
     * 2^⌊n/2⌋·2^(n−⌊n/2⌋) built in the exponent bits, so results down into the subnormal range (n ≥ −150) come out
     * with one final rounding. Measured on a dense sweep of [−87.3, 0]: ≤ 1.01 ulp. Arguments below −104 (where
     * e^x < 2⁻¹⁵⁰ rounds to 0) give 0. About 1.3× cheaper than the Vector API's EXP lanewise operation here
     * (inside exact GELU: 2.85 → 1.9 ns per element).
     */
    static FloatVector exp(FloatVector x) {
        FloatVector xc = x.max(-104f);
        FloatVector t = xc.fma(1.44269504088896341f, 12582912f); // 1.5·2²³: rounds x·log2(e) to an integer n in t's low bits
        FloatVector n = t.sub(12582912f);
        FloatVector r = n.fma(FloatVector.broadcast(F, -0.693359375f), xc);
        r = n.fma(FloatVector.broadcast(F, 2.12194440e-4f), r);
        FloatVector p = r.fma(1.9875691500E-4f, 1.3981999507E-3f);
        p = p.fma(r, FloatVector.broadcast(F, 8.3334519073E-3f));
        p = p.fma(r, FloatVector.broadcast(F, 4.1665795894E-2f));
        p = p.fma(r, FloatVector.broadcast(F, 1.6666665459E-1f));
        p = p.fma(r, FloatVector.broadcast(F, 5.0000001201E-1f));
        p = p.fma(r.mul(r), r).add(1f);
        IntVector ni = ((IntVector) t.reinterpretAsInts()).sub(0x4B400000);
        IntVector n1 = ni.lanewise(VectorOperators.ASHR, 1), n2 = ni.sub(n1);
        FloatVector s1 = n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector s2 = n2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return p.mul(s1).mul(s2).blend(0f, x.compare(VectorOperators.LT, -104f));
    }
}
