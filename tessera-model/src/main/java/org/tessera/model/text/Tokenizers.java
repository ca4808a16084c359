package org.tessera.model.text;

import java.nio.file.Files;
import java.nio.file.Path;
import org.tessera.model.ModelException;

/** Picks the tokenizer implementation a checkpoint directory calls for. */
public final class Tokenizers {
    private Tokenizers() {}

    /**
     * Loads the tokenizer of a model directory: {@code tokenizer.json} (or the slow Qwen2 files {@code vocab.json} +
     * {@code merges.txt}) gives the byte-level BPE that the Qwen2-based checkpoints use; a directory with only
     * {@code tokenizer.model} gets the SentencePiece BPE of the InternLM2-based ones.
     */
    public static Tokenizer loadDirectory(Path dir) {
        if (!Files.isDirectory(dir)) throw new ModelException(dir + ": not a model directory");
        if (Files.isRegularFile(dir.resolve("tokenizer.json"))
                || (Files.isRegularFile(dir.resolve("vocab.json")) && Files.isRegularFile(dir.resolve("merges.txt")))) {
            return ByteLevelBpeTokenizer.loadDirectory(dir);
        }
        if (Files.isRegularFile(dir.resolve("tokenizer.model"))) return SentencePieceBpeTokenizer.loadDirectory(dir);
        throw new ModelException(dir + ": no tokenizer found (expected tokenizer.json, vocab.json + merges.txt, or tokenizer.model)");
    }
}
