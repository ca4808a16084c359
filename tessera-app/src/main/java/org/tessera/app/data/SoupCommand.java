package org.tessera.app.data;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.tessera.data.soup.Soup;
import org.tessera.data.soup.SoupScorer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code tessera soup}: POINTS' model soup of fine-tuned checkpoints. */
@Command(name = "soup", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Average the weights of checkpoints fine-tuned from one model (model soup).",
                "uniform averages all; greedy adds checkpoints in order of their held-out score while the soup's score improves; best keeps the best single one.",
                "Example: tessera soup --out soup/ --method greedy --eval-data dev.jsonl --kind perplexity ft-a/ ft-b/ ft-c/"})
public final class SoupCommand implements Callable<Integer> {
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "The soup's model directory (must not exist or be empty, unless --force).")
    Path out;

    @Option(names = "--method", paramLabel = "METHOD", defaultValue = "uniform", description = "uniform (default), greedy or best.")
    String method;

    @Option(names = "--eval-data", paramLabel = "FILE", description = "Held-out JSONL for greedy and best: {\"image\", \"question\", \"answer\"} (or \"caption\") per line.")
    Path evalData;

    @Option(names = "--kind", paramLabel = "K", defaultValue = "perplexity",
            description = "How --eval-data is scored: perplexity (default, lower is better), exact-match, or a kind the evaluation runner adds.")
    String kind;

    @Option(names = "--force", description = "Replace --out if it holds files.")
    boolean force;

    @Parameters(arity = "1..*", paramLabel = "CKPT", description = "Checkpoint directories (same architecture: tensor names, shapes and dtypes).")
    List<Path> checkpoints;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Soup.Method m = Soup.Method.parse(method);
        SoupScorer scorer = null;
        if (m != Soup.Method.UNIFORM) {
            if (evalData == null) throw new IllegalArgumentException("--method " + method + " needs --eval-data FILE (and --kind)");
            scorer = SoupScorer.forKind(kind, evalData);
        }
        Soup.Result r = Soup.run(m, checkpoints, out, scorer, force, System.err);
        PrintWriter pw = spec.commandLine().getOut();
        pw.println("wrote " + out + ": the " + m.name().toLowerCase(Locale.ROOT) + " soup of " + r.ingredients().size() + " of "
                + checkpoints.size() + " checkpoint" + (checkpoints.size() == 1 ? "" : "s")
                + (r.finalScore() == null ? "" : String.format(Locale.ROOT, ", %s %.6g", scorer.describe(), r.finalScore())));
        for (Path p : r.ingredients()) pw.println("  " + p);
        pw.flush();
        return 0;
    }
}
