package org.tessera.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.core.io.Npy;
import org.tessera.model.internvl.InternVLModel;

/**
 * The same input gives the same bits however the JVM runs the kernels: interpreted (the Vector API's Java
 * fallbacks) or compiled by C2 (its intrinsics). Without this, a long-running server would drift: answers would
 * change once the JIT recompiles a kernel, and "same seed, same answer" would hold only sometimes. The probe runs
 * the golden model's whole forward pass in a child JVM with {@code -Xint} and compares its logits bit for bit with
 * a warmed-up run in this JVM.
 */
class JitTierDeterminismTest {

    /** Writes the golden forward pass's logits to args[0] as raw floats. */
    public static void main(String[] args) throws IOException {
        float[] logits = logits();
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(Path.of(args[0])))) {
            out.writeInt(logits.length);
            for (float f : logits) out.writeFloat(f);
        }
    }

    static float[] logits() {
        try (InternVLModel m = InternVLModel.load(Fixtures.goldenDir())) {
            Npy.Floats pv = Fixtures.goldenFloats("pixel_values.npy");
            return m.forward(pv.data(), pv.shape()[0], Fixtures.goldenIds()).logits();
        }
    }

    @Test
    void interpretedAndCompiledKernelsAgreeBitForBit(@TempDir Path dir) throws Exception {
        float[] warm = null;
        for (int i = 0; i < 30; i++) warm = logits(); // enough calls for C2 to compile the hot kernels
        Path file = dir.resolve("xint.bin");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xint",
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                JitTierDeterminismTest.class.getName(), file.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("log.txt").toFile()).start();
        if (!p.waitFor(240, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the -Xint probe did not finish in 240 s");
        }
        assertEquals(0, p.exitValue(), Files.readString(dir.resolve("log.txt")));
        float[] cold;
        try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
            cold = new float[in.readInt()];
            for (int i = 0; i < cold.length; i++) cold[i] = in.readFloat();
        }
        assertEquals(warm.length, cold.length);
        int differing = 0, first = -1;
        for (int i = 0; i < warm.length; i++) {
            if (Float.floatToRawIntBits(warm[i]) != Float.floatToRawIntBits(cold[i])) {
                differing++;
                if (first < 0) first = i;
            }
        }
        assertEquals(0, differing, differing + " of " + warm.length + " logits differ between -Xint and C2; first at " + first
                + ": " + (first < 0 ? "" : cold[first] + " vs " + warm[first]));
    }
}
