package org.tessera.eval.report;

import java.util.Map;
import org.tessera.eval.data.Dataset;
import org.tessera.eval.data.Sample;
import org.tessera.eval.run.Prediction;

/**
 * What answering cost, averaged over the questions of a dataset that have a prediction.
 *
 * @param questions          questions with a prediction
 * @param meanTiles          image tiles per question
 * @param meanImageTokens    language-model tokens the images became, per question (the x axis of resolution studies)
 * @param secondsPerQuestion wall time per question
 */
public record Usage(int questions, double meanTiles, double meanImageTokens, double secondsPerQuestion) {

    public static Usage of(Dataset data, Map<String, Prediction> predictions) {
        int n = 0;
        double tiles = 0, tokens = 0, secs = 0;
        for (Sample s : data.samples()) {
            Prediction p = predictions.get(s.index());
            if (p == null) continue;
            n++;
            tiles += p.tiles();
            tokens += p.imageTokens();
            secs += p.seconds();
        }
        return n == 0 ? new Usage(0, 0, 0, 0) : new Usage(n, tiles / n, tokens / n, secs / n);
    }
}
