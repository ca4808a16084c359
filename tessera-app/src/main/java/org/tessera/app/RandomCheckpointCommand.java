package org.tessera.app;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.tessera.core.DType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code tessera random-checkpoint}: an InternVL model directory with random weights, shaped like a real one. */
@Command(name = "random-checkpoint", mixinStandardHelpOptions = true,
        description = {"Write an InternVL model directory with random weights in the public layout: config.json shaped like",
                "the real model's, generation_config.json and model.safetensors with every tensor under its original name.",
                "It loads and runs like the real model (forward, bench), so shapes, memory and speed can be tried without",
                "downloading it. The weights are streamed to disk: the full InternVL2-4B (8.3 GB) needs no large heap."})
public final class RandomCheckpointCommand implements Callable<Integer> {
    @Option(names = "--like", required = true, paramLabel = "MODEL",
            description = "The model to imitate: internvl2-1b, internvl2_5-1b, internvl2-2b or internvl2-4b.")
    String like;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory to write (created; must not already hold a model).")
    Path out;

    @Option(names = "--scale", paramLabel = "F", defaultValue = "1",
            description = "Shrink layers, widths and vocabulary by F in (0, 1], keeping head groups and tile geometry (default: ${DEFAULT-VALUE}, the real size).")
    double scale;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--dtype", paramLabel = "T", defaultValue = "bf16", description = "Weight type: bf16, f16 or f32 (default: ${DEFAULT-VALUE}).")
    String dtype;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        RandomCheckpoint.Like model = RandomCheckpoint.Like.parse(like);
        DType type = switch (dtype.trim().toLowerCase(Locale.ROOT)) {
            case "bf16" -> DType.BF16;
            case "f16" -> DType.F16;
            case "f32" -> DType.F32;
            default -> throw new IllegalArgumentException("--dtype must be bf16, f16 or f32, got " + dtype);
        };
        long t0 = System.nanoTime();
        RandomCheckpoint.Result r = RandomCheckpoint.write(model, out, scale, seed, type);
        RandomCheckpoint.Sizes z = r.sizes();
        var w = spec.commandLine().getOut();
        w.printf(Locale.ROOT, "%s at scale %s -> %s%n", model.cliName(), scale, out);
        w.printf(Locale.ROOT, "  vision: %d layers, hidden %d (%d heads), mlp %d%n", z.vitLayers(), z.vitHidden(), z.vitHeads(), z.vitInter());
        w.printf(Locale.ROOT, "  language: %d layers, hidden %d (%d heads of %d, %d kv heads), mlp %d, vocab %d (<IMG_CONTEXT> %d)%n",
                z.layers(), z.hidden(), z.heads(), z.headDim(), z.kvHeads(), z.inter(), z.vocab(), z.imgContextTokenId());
        w.printf(Locale.ROOT, "  %,d parameters, %,d bytes of %s weights, %.1f s%n", r.parameters(), r.bytes(),
                type.name().toLowerCase(Locale.ROOT), (System.nanoTime() - t0) / 1e9);
        w.flush();
        return 0;
    }
}
