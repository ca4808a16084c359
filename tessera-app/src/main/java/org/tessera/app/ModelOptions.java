package org.tessera.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.tessera.api.VisionLanguageModel;
import picocli.CommandLine.Option;

/** Which model a command loads, shared by ask, chat and the other commands that take an optional model. */
public final class ModelOptions {
    /** The environment variable naming the model directory when --model is not given. */
    public static final String ENV = "TESSERA_MODEL";

    @Option(names = "--model", paramLabel = "DIR",
            description = "Model directory in the public InternVL layout (config.json, *.safetensors, tokenizer files); default: $" + ENV + ", else models/tessera-tiny when present.")
    public Path model;

    @Option(names = "--int8-llm", description = "Quantise the language model's matrices to int8 blocks at load time (faster decoding, small accuracy cost).")
    public boolean int8Llm;

    /** Where the launcher says tessera is installed; the bundled model lives under it. */
    public static final String HOME_ENV = "TESSERA_HOME";

    /** The bundled default model, relative to {@link #HOME_ENV}. */
    public static final String BUNDLED_MODEL = "models/tessera-tiny";

    /**
     * The model directory: --model, else $TESSERA_MODEL, else tessera's own model when it is in place
     * ($TESSERA_HOME/models/tessera-tiny; the {@code ./tessera} launcher sets TESSERA_HOME), else a clear error.
     */
    public Path resolve(Map<String, String> env) {
        if (model != null) return model;
        String e = env.get(ENV);
        if (e != null && !e.isBlank()) return Path.of(e);
        String home = env.get(HOME_ENV);
        if (home != null && !home.isBlank()) {
            Path bundled = Path.of(home).resolve(BUNDLED_MODEL);
            if (Files.isRegularFile(bundled.resolve("config.json"))) return bundled;
        }
        throw new IllegalArgumentException("no model given: pass --model DIR or set " + ENV
                + " (a directory with config.json, *.safetensors and the tokenizer files of an InternVL2 / 2.5 checkpoint; see the README)."
                + " A model in models/tessera-tiny under the launcher's TESSERA_HOME is the default when present");
    }

    public VisionLanguageModel load(ImageInputOptions images) {
        return VisionLanguageModel.load(resolve(System.getenv()),
                VisionLanguageModel.Options.defaults().withInt8Llm(int8Llm).withImageOptions(images.toLoadOptions()));
    }
}
