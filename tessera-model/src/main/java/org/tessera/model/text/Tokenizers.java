package org.tessera.model.text;

import java.nio.file.Files;
import java.nio.file.Path;
import org.tessera.model.ModelException;

/** Picks the tokenizer implementation a checkpoint directory calls for. */
public final class Tokenizers {
    private Tokenizers() {}

    /**
     * Loads the tokenizer of a model directory as the model cards do ({@code AutoTokenizer.from_pretrained(...,
     * use_fast=False)}, the slow tokenizer): a SentencePiece {@code tokenizer.model} when there is one (InternLM2 and
     * Phi-3 based checkpoints, whose slow tokenizers read it), else {@code tokenizer.json} (or the slow Qwen2 files
     * {@code vocab.json} + {@code merges.txt}) for the byte-level BPE of the Qwen2-based ones.
     */
    public static Tokenizer loadDirectory(Path dir) {
        if (!Files.isDirectory(dir)) throw new ModelException(dir + ": not a model directory");
        if (Files.isRegularFile(dir.resolve("tokenizer.model"))) return SentencePieceBpeTokenizer.loadDirectory(dir);
        if (Files.isRegularFile(dir.resolve("tokenizer.json"))
                || (Files.isRegularFile(dir.resolve("vocab.json")) && Files.isRegularFile(dir.resolve("merges.txt")))) {
            return ByteLevelBpeTokenizer.loadDirectory(dir);
        }
        throw new ModelException(dir + ": no tokenizer found (expected tokenizer.model, tokenizer.json, or vocab.json + merges.txt)");
    }
}
