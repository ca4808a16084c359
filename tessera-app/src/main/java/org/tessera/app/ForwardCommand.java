package org.tessera.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import org.tessera.core.io.Npy;
import org.tessera.model.internvl.InternVLConfig;
import org.tessera.model.internvl.InternVLModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code tessera forward}: the model's reference forward pass over given pixel values and token ids, with the
 * intermediate outputs a parity check against another implementation needs. No tokenizer is involved.
 */
@Command(name = "forward", mixinStandardHelpOptions = true,
        description = {"Run an InternVL model's forward pass on pixel values and token ids (.npy) and write the logits",
                "of every position, and optionally the projector output and the vision encoder's output, as float32 .npy.",
                "The <IMG_CONTEXT> ids are replaced, in order, by the image embeddings: their number must be",
                "tiles × image tokens per tile."})
public final class ForwardCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Model directory (config.json, model.safetensors).")
    Path model;

    @Option(names = "--pixel-values", paramLabel = "PV.npy",
            description = "Tiles as float32 [tiles, 3, S, S], S = the model's image size. Omit for a text-only prompt.")
    Path pixelValues;

    @Option(names = "--input-ids", required = true, paramLabel = "IDS.npy", description = "Token ids, integer [T] (or [1, T]).")
    Path inputIds;

    @Option(names = "--out", required = true, paramLabel = "LOGITS.npy", description = "Where to write the logits, float32 [T, vocab].")
    Path out;

    @Option(names = "--image-embeds-out", paramLabel = "E.npy", description = "Also write the projector output, float32 [tiles·k, hidden].")
    Path imageEmbedsOut;

    @Option(names = "--vit-out", paramLabel = "V.npy",
            description = "Also write the vision encoder output the projector reads (the last hidden state unless select_layer says otherwise), float32 [tiles, 1+N, C].")
    Path vitOut;

    @Option(names = "--int8-llm", description = "Quantise the language model's weight matrices to int8 blocks (Q8_0) at load time.")
    boolean int8Llm;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        requireFile("--input-ids", inputIds);
        if (pixelValues != null) requireFile("--pixel-values", pixelValues);
        int[] ids = readIds(inputIds);
        long t0 = System.nanoTime();
        try (InternVLModel m = InternVLModel.load(model, int8Llm)) {
            InternVLConfig c = m.config();
            int tiles = 0;
            float[] pixels = new float[0];
            if (pixelValues != null) {
                Npy.Floats pv = Npy.readFloats(pixelValues);
                int[] s = pv.shape();
                int size = c.imageSize(), ch = c.vision().numChannels();
                if (s.length != 4 || s[0] < 1 || s[1] != ch || s[2] != size || s[3] != size) {
                    throw new IllegalArgumentException(pixelValues + ": shape " + Arrays.toString(s) + " does not fit the model, which takes [tiles, "
                            + ch + ", " + size + ", " + size + "] (image size " + size + " from " + model.resolve("config.json") + ")");
                }
                tiles = s[0];
                pixels = pv.data();
            }
            long t1 = System.nanoTime();
            InternVLModel.Output o = m.forward(pixels, tiles, ids);
            long t2 = System.nanoTime();
            int vocab = c.llm().vocabSize(), hidden = c.llm().hiddenSize();
            Npy.writeFloats(out, o.logits(), ids.length, vocab);
            var w = spec.commandLine().getOut();
            w.printf("logits [%d, %d] -> %s%n", ids.length, vocab, out);
            if (imageEmbedsOut != null) {
                Npy.writeFloats(imageEmbedsOut, o.imageEmbeds(), tiles * m.tokensPerTile(), hidden);
                w.printf("image embeds [%d, %d] -> %s%n", tiles * m.tokensPerTile(), hidden, imageEmbedsOut);
            }
            if (vitOut != null) {
                int seq = 1 + c.grid() * c.grid(), vc = c.vision().hiddenSize();
                Npy.writeFloats(vitOut, o.visionFeatures(), tiles, seq, vc);
                w.printf("vision features [%d, %d, %d] -> %s%n", tiles, seq, vc, vitOut);
            }
            w.printf("load %.0f ms, forward %.0f ms (%d tiles, %d tokens)%n", (t1 - t0) / 1e6, (t2 - t1) / 1e6, tiles, ids.length);
            w.flush();
        }
        return 0;
    }

    private static void requireFile(String option, Path p) {
        if (!Files.isRegularFile(p)) throw new IllegalArgumentException(option + " " + p + ": no such file");
    }

    /** Ids as int; [T] or a batch of one [1, T]. */
    private static int[] readIds(Path p) {
        Npy.Longs l = Npy.readLongs(p);
        int[] s = l.shape();
        if (!(s.length == 1 || (s.length == 2 && s[0] == 1)) || l.data().length == 0) {
            throw new IllegalArgumentException(p + ": shape " + Arrays.toString(s) + "; expected token ids [T] (or [1, T]) with T > 0");
        }
        int[] ids = new int[l.data().length];
        for (int i = 0; i < ids.length; i++) {
            long v = l.data()[i];
            if (v < 0 || v > Integer.MAX_VALUE) throw new IllegalArgumentException(p + ": token id " + v + " at position " + i + " is out of range");
            ids[i] = (int) v;
        }
        return ids;
    }
}
