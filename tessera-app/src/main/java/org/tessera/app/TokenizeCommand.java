package org.tessera.app;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.tessera.model.text.Tokenizer;
import org.tessera.model.text.Tokenizers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code tessera tokenize}: the token ids of a text with the checkpoint's own tokenizer, printed as the JSON array
 * Python's {@code json.dumps(tokenizer.encode(text, add_special_tokens=False))} writes, so the two can be diffed.
 */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = {"Print the token ids of TEXT as one JSON array, using the model directory's tokenizer.",
                "Special tokens written in the text (<|im_start|>, <IMG_CONTEXT>, ...) become their ids; nothing is added."})
public final class TokenizeCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Model directory (tokenizer.json, or tokenizer.model).")
    Path model;

    @Parameters(index = "0", paramLabel = "TEXT", description = "The text to tokenize.")
    String text;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Tokenizer t = Tokenizers.loadDirectory(model);
        int[] ids = t.encode(text, false);
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < ids.length; i++) {
            if (i > 0) sb.append(", ");
            sb.append(ids[i]);
        }
        var out = spec.commandLine().getOut();
        out.println(sb.append(']'));
        out.flush();
        return 0;
    }
}
