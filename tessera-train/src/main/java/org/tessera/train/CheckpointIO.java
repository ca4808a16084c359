package org.tessera.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.tessera.core.DType;
import org.tessera.core.io.Checkpoint;
import org.tessera.core.io.SafetensorsWriter;
import org.tessera.core.tensor.Tensor;
import org.tessera.train.model.TrainableInternVL;
import org.tessera.train.optim.AdamW;

/**
 * Writing what training makes:
 * <ul>
 *   <li>the model in the public layout ({@code model.safetensors} with the names {@code InternVLModel} loads, beside a
 *       copy of the source's config and tokenizer files), so {@code tessera ask --model OUT} runs it unchanged;</li>
 *   <li>adapters ({@code adapter_model.safetensors} + {@code adapter_config.json}) when LoRA is used: merged into the
 *       model as well for plain LoRA; Partial LoRA cannot be merged and lives only there;</li>
 *   <li>the resumable state under {@code train_state/}: float32 masters of the trainable tensors, AdamW moments and
 *       the counters ({@code state.json}, written last, so a state is complete exactly when it exists).</li>
 * </ul>
 * Every file goes through a temporary file and an atomic rename: an interrupted save never leaves a torn file.
 */
public final class CheckpointIO {
    public static final String STATE_DIR = "train_state";
    public static final String ADAPTERS = "adapter_model.safetensors";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** Files of a model directory that are not weights and travel with a saved model. */
    private static final Set<String> SIDE_EXTENSIONS = Set.of(".json", ".txt", ".model", ".tiktoken", ".py", ".md", ".jinja");
    /** What training itself writes into the output directory (never copied from a source). */
    private static final Set<String> OWN_FILES = Set.of(Checkpoint.INDEX_FILE, "adapter_config.json", "training_args.json", "train_log.jsonl");

    private CheckpointIO() {}

    /** Copies config, tokenizer and generation files from {@code source} to {@code out} (nothing when they are the same folder). */
    public static void copySideFiles(Path source, Path out) {
        try {
            Files.createDirectories(out);
            if (Files.isSameFile(source, out)) return;
            try (Stream<Path> s = Files.list(source)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    String n = p.getFileName().toString();
                    int dot = n.lastIndexOf('.');
                    if (!Files.isRegularFile(p) || dot < 0 || !SIDE_EXTENSIONS.contains(n.substring(dot)) || OWN_FILES.contains(n)) continue;
                    Files.copy(p, out.resolve(n), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the model's files from " + source + " to " + out + ": " + e.getMessage(), e);
        }
    }

    /** Writes {@code model.safetensors} (and the adapters, when there are any) into {@code out}. */
    public static void saveModel(TrainableInternVL m, Path out, String saveDtype) {
        DType trained = saveDtype.equals("bf16") ? DType.BF16 : DType.F32;
        write(out.resolve(Checkpoint.SINGLE_FILE), m.exportModel(), trained);
        if (!m.adapters().isEmpty()) {
            write(out.resolve(ADAPTERS), m.exportAdapters(), DType.F32);
            ObjectNode c = MAPPER.createObjectNode();
            var first = m.adapters().get(0);
            c.put("r", first.rows());
            c.put("partial", first.name().contains(".Plora_"));
            c.put("note", first.name().contains(".Plora_")
                    ? "Partial LoRA (InternLM-XComposer2): applies to image-token positions only; model.safetensors holds the unchanged base weights"
                    : "LoRA: already merged into model.safetensors (W + alpha/r * B @ A); kept here for reference");
            writeJson(out.resolve("adapter_config.json"), c);
        }
    }

    private static void write(Path file, List<TrainableInternVL.ExportTensor> tensors, DType trained) {
        SafetensorsWriter.Builder b = SafetensorsWriter.builder(file).metadata("format", "pt");
        for (var t : tensors) b.add(t.name(), t.source() != null ? t.source().dtype() : trained, t.shape());
        try (SafetensorsWriter w = b.open()) {
            for (var t : tensors) {
                if (t.source() != null) w.write(t.name(), t.source());
                else w.writeFloats(t.name(), t.values());
            }
        }
    }

    /** Saves the resumable state: trainable masters, optimiser moments, then {@code state.json} with {@code counters}. */
    public static void saveState(Path out, TrainableInternVL m, AdamW opt, ObjectNode counters) {
        Path dir = out.resolve(STATE_DIR);
        try {
            Files.createDirectories(dir);
            Files.deleteIfExists(dir.resolve("state.json")); // incomplete until the end of this method
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Parameter> params = m.parameters().trainable();
        SafetensorsWriter.Builder pb = SafetensorsWriter.builder(dir.resolve("params.safetensors")).metadata("format", "pt");
        SafetensorsWriter.Builder ob = SafetensorsWriter.builder(dir.resolve("optimizer.safetensors")).metadata("format", "pt");
        for (Parameter p : params) {
            pb.add(p.name(), DType.F32, p.shape());
            ob.add(p.name() + ".exp_avg", DType.F32, p.shape());
            ob.add(p.name() + ".exp_avg_sq", DType.F32, p.shape());
        }
        try (SafetensorsWriter w = pb.open()) {
            for (Parameter p : params) w.writeFloats(p.name(), p.values());
        }
        try (SafetensorsWriter w = ob.open()) {
            for (Parameter p : params) {
                AdamW.Moments mo = opt.state(p);
                w.writeFloats(p.name() + ".exp_avg", mo.m());
                w.writeFloats(p.name() + ".exp_avg_sq", mo.v());
            }
        }
        ObjectNode s = counters.deepCopy();
        s.put("optimizer_steps", opt.stepCount());
        writeJson(dir.resolve("state.json"), s);
    }

    /** Whether {@code out} holds a complete state to resume from. */
    public static boolean hasState(Path out) {
        return Files.isRegularFile(out.resolve(STATE_DIR).resolve("state.json"));
    }

    /** Restores masters and moments into {@code m} and {@code opt} (same trainable set required); returns the counters. */
    public static JsonNode loadState(Path out, TrainableInternVL m, AdamW opt) {
        Path dir = out.resolve(STATE_DIR);
        JsonNode state;
        try {
            state = MAPPER.readTree(dir.resolve("state.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir.resolve("state.json") + ": " + e.getMessage(), e);
        }
        List<Parameter> params = m.parameters().trainable();
        try (Checkpoint pc = Checkpoint.open(dir.resolve("params.safetensors"));
             Checkpoint oc = Checkpoint.open(dir.resolve("optimizer.safetensors"))) {
            Map<String, Boolean> seen = new HashMap<>();
            for (String n : pc.names()) seen.put(n, false);
            for (Parameter p : params) {
                if (!pc.contains(p.name())) {
                    throw new IllegalArgumentException(dir + ": the saved state has no " + p.name() + " (was it saved with another stage or config?)");
                }
                seen.put(p.name(), true);
                copy(pc.tensor(p.name()), p.values(), p.name());
                p.markUpdated();
                AdamW.Moments mo = opt.state(p);
                copy(oc.tensor(p.name() + ".exp_avg"), mo.m(), p.name());
                copy(oc.tensor(p.name() + ".exp_avg_sq"), mo.v(), p.name());
            }
            for (var e : seen.entrySet()) {
                if (!e.getValue()) throw new IllegalArgumentException(dir + ": the saved state trains " + e.getKey() + ", this run does not (another stage or config?)");
            }
        }
        opt.stepCount(state.path("optimizer_steps").asLong());
        return state;
    }

    private static void copy(Tensor t, float[] dst, String name) {
        float[] v = t.toFloatArray();
        if (v.length != dst.length) throw new IllegalArgumentException("saved " + name + " has " + v.length + " values, expected " + dst.length);
        System.arraycopy(v, 0, dst, 0, v.length);
    }

    /** Writes JSON through a temporary file and an atomic rename. */
    public static void writeJson(Path file, JsonNode node) {
        try {
            Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
            MAPPER.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), node);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
