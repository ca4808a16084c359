package org.tessera.eval.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.tessera.eval.py.PyFloat;

/**
 * 3,300 random inputs (mixed case, punctuation, number words, articles, Unicode digits and spaces, percent signs,
 * underscores, option letters) and what VLMEvalKit's own functions (commit e8e78f05: process_answer, anls_compute,
 * relaxed_correctness, the vqa_score branch of process_line, can_infer, the OCRBench loop) and CPython 3.11's float()
 * return for them, recorded in {@code oracle/vlmevalkit-cases.jsonl}. Every result must be equal, doubles to the bit.
 */
class OracleCasesTest {

    @Test
    void everyRecordedCaseAgrees() throws Exception {
        ObjectMapper json = new ObjectMapper();
        Map<String, Integer> checked = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                getClass().getResourceAsStream("/oracle/vlmevalkit-cases.jsonl"), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                JsonNode c = json.readTree(line);
                String f = c.get("f").asText();
                JsonNode in = c.get("in"), want = c.get("out");
                Object got = switch (f) {
                    case "process_answer" -> VqaNormalizer.normalize(in.get(0).asText());
                    case "float" -> {
                        Double v = PyFloat.parse(in.get(0).asText());
                        yield v == null ? null : PyFloat.repr(v);
                    }
                    case "relaxed" -> RelaxedAccuracy.correct(in.get(0).asText(), in.get(1).asText());
                    case "anls" -> Anls.distance(in.get(0).asText(), in.get(1).asText());
                    case "vqa_score" -> VqaAccuracy.score(strings(in.get(0)), in.get(1).asText());
                    case "can_infer" -> {
                        Map<String, String> ch = new LinkedHashMap<>();
                        in.get(1).properties().forEach(e -> ch.put(e.getKey(), e.getValue().asText()));
                        yield ChoiceExtractor.infer(in.get(0).asText(), ch);
                    }
                    case "ocrbench" -> OcrBench.correct(in.get(0).asText(), strings(in.get(1)), in.get(2).asText());
                    default -> throw new IllegalStateException("unknown case " + f);
                };
                Object expected = want.isNull() ? null : want.isBoolean() ? want.booleanValue() : want.isNumber() ? want.doubleValue() : want.asText();
                if (!java.util.Objects.equals(expected, got)) failures.add(f + " " + in + ": VLMEvalKit " + expected + ", tessera " + got);
                checked.merge(f, 1, Integer::sum);
            }
        }
        assertEquals(List.of(), failures.subList(0, Math.min(20, failures.size())), failures.size() + " disagreements");
        assertEquals(7, checked.size(), checked.toString());
        assertTrue(checked.values().stream().mapToInt(Integer::intValue).sum() == 3300, checked.toString());
    }

    private static List<String> strings(JsonNode a) {
        List<String> out = new ArrayList<>();
        for (JsonNode x : a) out.add(x.asText());
        return out;
    }
}
