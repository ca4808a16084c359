package org.tessera.app.tiny;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.tessera.data.AtomicFiles;
import org.tessera.model.text.ChatTemplate;
import org.tessera.synth.Preset;
import org.tessera.synth.SynthOptions;
import org.tessera.train.BpeTrainer;

/**
 * tessera-tiny's recipe: the architecture, its tokenizer and the training settings, in one place so that
 * {@code tessera tiny train} and the ablations build the same thing.
 *
 * <p>Why these sizes: InternVL's shape at small scale. 112 px tiles with 14 px patches give 8×8 patches, which pixel
 * shuffle (0.5) merges into 16 image tokens per tile, so a 12-tile plan costs 208 tokens; a 6×192 InternViT does the
 * reading, a 4×256 Qwen2 decoder (GQA 4/2, tied embeddings) finds the line a question asks for and spells its digits,
 * one token each. About 6.4 M parameters: 13 MB in bf16; a training step of 8 receipts took 1.7–2.3 s on two cores.
 */
public final class TinyRecipe {
    public static final int TILE = 112;
    public static final int PATCH = 14;
    public static final int VIT_WIDTH = 192, VIT_LAYERS = 6, VIT_HEADS = 3, VIT_MLP = 768;
    public static final int LLM_WIDTH = 256, LLM_LAYERS = 4, LLM_HEADS = 4, LLM_KV_HEADS = 2, LLM_MLP = 768;
    public static final int MAX_TILES = 12;
    /** The shipped model's run: training and held-out receipts, seed and optimiser steps. */
    public static final int TRAIN_IMAGES = 26_000, TEST_IMAGES = 500, STEPS = 2000, STRIPS = 12_000;
    public static final long SEED = 1;
    public static final int TOKENIZER_MERGES = 400;
    public static final String SYSTEM_MESSAGE = "You are tessera-tiny. You read receipts and answer with the exact text.";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** One JSON object per line, for JSONL. */
    private static final ObjectWriter LINE = new ObjectMapper().writer();

    private TinyRecipe() {}

    /**
     * Writes an untrained model directory: {@code tokenizer.json} learned from the system message and every
     * question and answer of {@code trainJsonl} (the reading answers included, so words are tokens too), {@code config.json} sized to that tokenizer, and
     * {@code generation_config.json} (greedy, stop at {@code <|im_end|>}).
     */
    public static void writeModelDirectory(Path trainJsonl, Path dir) {
        BpeTrainer bpe = new BpeTrainer();
        bpe.add(SYSTEM_MESSAGE + "\nsystem\nuser\nassistant\n");
        for (int i = 1; i <= 40; i++) bpe.add("<tile_" + i + ">"); // NVLM 1-D tags (the ablation's tagged rows)
        bpe.add("<tile_global_thumbnail>");
        try (BufferedReader r = Files.newBufferedReader(trainJsonl, StandardCharsets.UTF_8)) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.isBlank()) continue;
                for (JsonNode turn : JSON.readTree(line).path("conversations")) {
                    bpe.add(turn.path("value").asText().replace(ChatTemplate.IMAGE_PLACEHOLDER, "") + "\n");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + trainJsonl + ": " + e.getMessage(), e);
        }
        BpeTrainer.Result tok = bpe.train(TOKENIZER_MERGES, 2);
        BpeTrainer.write(tok, dir);
        try {
            JSON.writeValue(dir.resolve("config.json").toFile(), config(tok));
            ObjectNode gen = JSON.createObjectNode();
            gen.putArray("eos_token_id").add(tok.addedTokenId("<|im_end|>"));
            gen.put("pad_token_id", tok.addedTokenId("<|endoftext|>"));
            gen.put("do_sample", false);
            gen.put("max_new_tokens", 32);
            JSON.writeValue(dir.resolve("generation_config.json").toFile(), gen);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * The data: the easy preset (receipts with a big bold total, numeric answers), three questions per receipt, and
     * the layout of every drawn string (for the reading task).
     */
    public static SynthOptions.Builder synthOptions(int count, int testCount, long seed) {
        return SynthOptions.builder(Preset.EASY).count(count).testCount(testCount).seed(seed).questionsPerImage(3).writeLayout(true);
    }

    /**
     * The training settings: every part trained from scratch (stage all, no layer-wise decay), 8 receipts per step,
     * AdamW at 1e-3 after 150 warm-up steps, cosine to 1e-4; checkpoints every 100 steps so an interrupted run loses
     * little; exported in bf16, as the public checkpoints are.
     */
    public static ObjectNode trainConfig(int steps, long seed, int maxTiles) {
        ObjectNode c = JSON.createObjectNode();
        c.put("stage", "all").put("steps", steps).put("lr", 1e-3).put("min_lr", 1e-4).put("warmup_steps", Math.min(150, steps / 10))
                .put("weight_decay", 0.05).put("batch", 8).put("grad_accum", 1).put("max_grad_norm", 1.0).put("seed", seed)
                .put("vit_layer_decay", 1.0).put("max_seq_len", 1024).put("max_tiles", maxTiles).put("save_every", 100)
                .put("eval_every", 500).put("eval_max", 150).put("save_dtype", "bf16").put("cache_mb", 256);
        return c;
    }

    /** The question of the reading task; its answer is every line of the receipt. */
    public static final String READ_QUESTION = "Read the receipt.";

    /**
     * Writes {@code train_read.jsonl}: each training receipt's questions, then one more turn that asks for the whole
     * text, answered with every string the generator drew ({@code train_layout.jsonl}), line by line. Reading the
     * whole page supervises every character on it (Donut's and Vary's pre-training task) where the questions
     * supervise a dozen, which is what lets a ViT trained from scratch learn to read within a CPU budget. The
     * reading turn comes last so that no answer can be copied from it.
     */
    public static Path writeReadingData(Path dataDir) {
        Path out = dataDir.resolve("train_read.jsonl");
        AtomicFiles.write(out, stream -> {
            BufferedWriter w = new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8));
            try (BufferedReader qa = Files.newBufferedReader(dataDir.resolve("train.jsonl"), StandardCharsets.UTF_8);
                 BufferedReader layout = Files.newBufferedReader(dataDir.resolve("train_layout.jsonl"), StandardCharsets.UTF_8)) {
                for (String q; (q = qa.readLine()) != null; ) {
                    if (q.isBlank()) continue;
                    String l = layout.readLine();
                    ObjectNode ex = (ObjectNode) JSON.readTree(q);
                    JsonNode lay = l == null ? null : JSON.readTree(l);
                    if (lay == null || !lay.path("id").asText().equals(ex.path("id").asText())) {
                        throw new IllegalArgumentException(dataDir + ": train_layout.jsonl does not match train.jsonl at " + ex.path("id").asText());
                    }
                    ArrayNode conv = (ArrayNode) ex.get("conversations");
                    conv.addObject().put("from", "human").put("value", READ_QUESTION);
                    conv.addObject().put("from", "gpt").put("value", transcript(lay.path("items")));
                    w.write(LINE.writeValueAsString(ex));
                    w.newLine();
                }
            }
            w.flush();
        });
        return out;
    }

    /** A line of drawn strings: its text and vertical extent in the image. */
    record Line(String text, double top, double bottom) {}

    /**
     * The drawn strings as lines: strings whose vertical centres lie within half a line height of a line's first
     * string join it, left to right, separated by a space; lines top to bottom.
     */
    static List<Line> lines(JsonNode items) {
        record Item(String text, double x, double y, double h) {
            double yc() { return y + h / 2; }
        }
        List<Item> all = new java.util.ArrayList<>();
        for (JsonNode it : items) {
            JsonNode b = it.path("box");
            all.add(new Item(it.path("text").asText(), b.get(0).asDouble(), b.get(1).asDouble(), b.get(3).asDouble()));
        }
        all.sort(java.util.Comparator.comparingDouble(Item::yc));
        List<Line> lines = new java.util.ArrayList<>();
        int i = 0;
        while (i < all.size()) {
            Item first = all.get(i);
            int j = i;
            while (j < all.size() && all.get(j).yc() - first.yc() <= 0.5 * first.h()) j++;
            List<Item> line = new java.util.ArrayList<>(all.subList(i, j));
            line.sort(java.util.Comparator.comparingDouble(Item::x));
            StringBuilder sb = new StringBuilder();
            double top = Double.POSITIVE_INFINITY, bottom = Double.NEGATIVE_INFINITY;
            for (Item it : line) {
                sb.append(sb.length() == 0 ? "" : " ").append(it.text());
                top = Math.min(top, it.y());
                bottom = Math.max(bottom, it.y() + it.h());
            }
            lines.add(new Line(sb.toString(), top, bottom));
            i = j;
        }
        return lines;
    }

    /** The whole page's text: {@link #lines}, one per line. */
    static String transcript(JsonNode items) {
        return String.join("\n", lines(items).stream().map(Line::text).toList());
    }

    /** The question of the strip-reading task. */
    public static final String READ_STRIP_QUESTION = "Read the text.";

    /**
     * Writes {@code train_strips.jsonl} and {@code strips/}: from each of the first {@code count} training receipts, a
     * full-width strip of consecutive whole lines about half as tall as the receipt is wide (so dynamic tiling makes
     * it two tiles across, at about the scale a whole receipt gets), with its lines as the answer. Reading a few
     * lines is the easy first step of reading a page (text-line recognition before document parsing): the ViT learns
     * the characters where the answer is local, which the whole-page tasks then build on.
     */
    public static Path writeStripData(Path dataDir, int count, long seed) {
        return writeCrops(dataDir, "strips", count, seed, Integer.MAX_VALUE);
    }

    /**
     * Writes {@code train_lines.jsonl} and {@code lines/}: single lines of the first {@code count} training receipts,
     * each on a full-width canvas of the receipt's paper half as tall as it is wide (the strips' scale), answered with
     * the line: the simplest reading task there is.
     */
    public static Path writeLineData(Path dataDir, int count, long seed) {
        return writeCrops(dataDir, "lines", count, seed, 1);
    }

    private static Path writeCrops(Path dataDir, String kind, int count, long seed, int maxLines) {
        Path out = dataDir.resolve("train_" + kind + ".jsonl");
        Path dir = dataDir.resolve(kind);
        String single = kind.substring(0, kind.length() - 1);
        AtomicFiles.write(out, stream -> {
            BufferedWriter w = new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8));
            Files.createDirectories(dir);
            try (BufferedReader layout = Files.newBufferedReader(dataDir.resolve("train_layout.jsonl"), StandardCharsets.UTF_8)) {
                java.util.SplittableRandom rng = new java.util.SplittableRandom(seed);
                int n = 0;
                for (String l; n < count && (l = layout.readLine()) != null; ) {
                    if (l.isBlank()) continue;
                    JsonNode lay = JSON.readTree(l);
                    List<Line> lines = lines(lay.path("items"));
                    java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(dataDir.resolve(lay.path("image").asText()).toFile());
                    if (img == null || lines.isEmpty()) throw new IOException(lay.path("image").asText() + ": cannot read");
                    int w0 = img.getWidth(), h0 = img.getHeight();
                    int first = rng.nextInt(lines.size()), last = first;
                    while (last + 1 - first < maxLines && last + 1 < lines.size() && lines.get(last + 1).bottom() - lines.get(first).top() <= w0 / 2.0) last++;
                    int top = (int) Math.max(0, Math.floor(lines.get(first).top() - 3));
                    int bottom = (int) Math.min(h0, Math.ceil(lines.get(last).bottom() + 3));
                    if (first > 0) top = (int) Math.max(top, Math.ceil(lines.get(first - 1).bottom()));
                    if (last + 1 < lines.size()) bottom = (int) Math.min(bottom, Math.floor(lines.get(last + 1).top()));
                    if (bottom - top < 8) continue;
                    String name = String.format(java.util.Locale.ROOT, "%s/%s-%07d.png", kind, single, n);
                    int h = maxLines == 1 ? Math.max(bottom - top, w0 / 2) : bottom - top;
                    var strip = new java.awt.image.BufferedImage(w0, h, java.awt.image.BufferedImage.TYPE_INT_RGB);
                    var g = strip.createGraphics();
                    g.setColor(new java.awt.Color(img.getRGB(0, 0)));
                    g.fillRect(0, 0, w0, h);
                    g.drawImage(img.getSubimage(0, top, w0, bottom - top), 0, (h - (bottom - top)) / 2, null);
                    g.dispose();
                    Files.write(dataDir.resolve(name), org.tessera.synth.PngWriter.encode(strip));
                    ObjectNode ex = JSON.createObjectNode();
                    ex.put("id", single + "-" + n).put("image", name).put("width", w0).put("height", h);
                    var conv = ex.putArray("conversations");
                    conv.addObject().put("from", "human").put("value", "<image>\n" + READ_STRIP_QUESTION);
                    conv.addObject().put("from", "gpt").put("value",
                            String.join("\n", lines.subList(first, last + 1).stream().map(Line::text).toList()));
                    w.write(LINE.writeValueAsString(ex));
                    w.newLine();
                    n++;
                }
            }
            w.flush();
        });
        return out;
    }

    /**
     * One lesson of the reader's curriculum, trained before the receipts: {@code examples} one-tile images of a kind
     * ({@code cells}: {@link #writeCellTextData}; {@code text}: {@link #writeTileTextData} at 6–16 px cap height, half
     * of the lines random characters) for {@code steps} steps of 16 with the patch readout on.
     */
    public record Lesson(String kind, int examples, int steps) {}

    /**
     * The curriculum: one character per patch first (the ViT learns the glyphs, the decoder to read tokens out in
     * order), then free lines of receipt text at the sizes a 12-tile receipt shows; the receipts' run then starts
     * from the second lesson's weights.
     */
    public static final List<Lesson> LESSONS = List.of(new Lesson("cells", 20_000, 1_000), new Lesson("text", 30_000, 2_000));

    /** Held-out examples written for each lesson (its own seed, so none is a training image). */
    public static final int LESSON_EVAL = 200;

    /** Writes {@code train_NAME.jsonl} for a lesson of {@code kind} (see {@link Lesson}). */
    public static Path writeLesson(Path dataDir, String kind, String name, int count, long seed) {
        return switch (kind) {
            case "cells" -> writeCellTextData(dataDir, name, count, seed, CELL_CHARS);
            case "digits" -> writeDigitTextData(dataDir, name, count, seed, 6, 16);
            case "text" -> writeTileTextData(dataDir, name, count, seed, 6, 16, 0.5);
            default -> throw new IllegalArgumentException("unknown lesson '" + kind + "': expected cells, digits or text");
        };
    }

    /**
     * The lessons' training settings: everything trains from the previous weights (the first lesson from the seed),
     * 16 one-tile images per step, AdamW at 1e-3 after 100 warm-up steps, cosine to 1e-4, and the patch readout at
     * weight 1 (see {@code TrainableInternVL#attachPatchReadout}).
     */
    public static ObjectNode lessonConfig(int steps, long seed) {
        ObjectNode c = JSON.createObjectNode();
        c.put("stage", "all").put("steps", steps).put("lr", 1e-3).put("min_lr", 1e-4).put("warmup_steps", Math.min(100, steps / 10))
                .put("weight_decay", 0.05).put("batch", 16).put("grad_accum", 1).put("max_grad_norm", 1.0).put("seed", seed)
                .put("vit_layer_decay", 1.0).put("max_seq_len", 256).put("max_tiles", 1).put("save_every", 100)
                .put("eval_every", 250).put("eval_max", 100).put("save_dtype", "f32").put("cache_mb", 256).put("patch_readout", 1.0);
        return c;
    }

    /**
     * Characters of the cell lesson: what the answers are made of (prices, dates, times, numbers). Digits are single
     * tokens, so each patch's character is one answer token; with letters too (which the tokenizer merges into
     * irregular pieces) the decoder learnt to read far more slowly: held-out token accuracy 29 % after 1,000 steps,
     * against 86 % after 750 with digits.
     */
    public static final String CELL_CHARS = "0123456789.:-";

    /**
     * Writes {@code train_NAME.jsonl} and {@code NAME/}: the reader's very first lesson. Each image is one
     * {@link #TILE} px tile with three lines of characters on patch rows 1, 3 and 5, one character centred in each
     * 14 px patch (a tenth of a patch of jitter; three in ten cells blank), drawn in a random face of the
     * generator's at 9–11 px cap height; the answer is the three lines (blanks as spaces, "-" for an empty line) and
     * {@code patch_text} names every patch's character. Why: with one character per patch the patch readout's labels
     * are exact, and the ViT tells characters apart within ~100 steps (99.6 % of patches at step 200 in the measured
     * run, where on free text, with two characters per patch at any offset, it reached 18 % in 700); each image
     * token (2×2 patches) then holds two characters of one line, in reading order, so the decoder learns to read
     * them out. The free-text lesson ({@link #writeTileTextData}) builds on it.
     */
    public static Path writeCellTextData(Path dataDir, String name, int count, long seed, String charset) {
        if (charset.isEmpty() || charset.chars().anyMatch(c -> c <= ' ' || c > '~')) {
            throw new IllegalArgumentException("the cell lesson's characters must be printable ASCII without spaces");
        }
        int grid = TILE / PATCH;
        org.tessera.synth.FontBook[] faces = org.tessera.synth.FontBook.values();
        return writeLessonImages(dataDir, name, count, seed, rng -> {
            double cap = 9 + 2 * rng.nextDouble();
            java.awt.Font font = faces[rng.nextInt(faces.length)].atCap(cap);
            var img = new java.awt.image.BufferedImage(TILE, TILE, java.awt.image.BufferedImage.TYPE_INT_RGB);
            var g = img.createGraphics();
            int paper = 225 + rng.nextInt(31), ink = rng.nextInt(70);
            g.setColor(new java.awt.Color(paper, paper, paper));
            g.fillRect(0, 0, TILE, TILE);
            g.setRenderingHint(java.awt.RenderingHints.KEY_TEXT_ANTIALIASING, java.awt.RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(java.awt.RenderingHints.KEY_FRACTIONALMETRICS, java.awt.RenderingHints.VALUE_FRACTIONALMETRICS_ON);
            g.setFont(font);
            g.setColor(new java.awt.Color(ink, ink, ink));
            char[] cells = new char[grid * grid];
            java.util.Arrays.fill(cells, ' ');
            List<String> lines = new java.util.ArrayList<>();
            for (int row = 1; row < grid - 1; row += 2) {
                StringBuilder line = new StringBuilder();
                for (int col = 0; col < grid; col++) {
                    if (rng.nextInt(10) < 3) {
                        line.append(' ');
                        continue;
                    }
                    char ch = charset.charAt(rng.nextInt(charset.length()));
                    var bounds = font.createGlyphVector(org.tessera.synth.FontBook.FRC, String.valueOf(ch)).getVisualBounds();
                    float x = (float) (col * PATCH + (PATCH - bounds.getWidth()) / 2 - bounds.getX() + rng.nextInt(3) - 1);
                    float y = (float) (row * PATCH + (PATCH + cap) / 2 + rng.nextInt(3) - 1);
                    g.drawString(String.valueOf(ch), x, y);
                    cells[row * grid + col] = ch;
                    line.append(ch);
                }
                String t = line.toString().stripTrailing();
                lines.add(t.isEmpty() ? "-" : t);
            }
            g.dispose();
            return new LessonImage(img, lines, new String(cells));
        });
    }

    /**
     * Writes {@code train_NAME.jsonl} and {@code NAME/}: one to four lines of {@code charset} characters at a regular
     * pitch, each character centred in its cell whatever the face, a pitch drawn from [minPitch, maxPitch] px per
     * image (cap height three quarters of it), each line starting anywhere, so characters straddle patches at every
     * offset; three in ten cells inside a line blank (never two in a row). Between the cells (pitch 14 on the patch grid) and free text (proportional
     * advance), with the pitch shrunk stage by stage towards the receipts' body text (about 6 px at 12 tiles).
     */
    public static Path writeGridTextData(Path dataDir, String name, int count, long seed, String charset, double minPitch, double maxPitch) {
        if (charset.isEmpty() || charset.chars().anyMatch(c -> c <= ' ' || c > '~')) {
            throw new IllegalArgumentException("the grid lesson's characters must be printable ASCII without spaces");
        }
        if (!(minPitch >= 4) || maxPitch < minPitch || maxPitch > TILE / 4.0) {
            throw new IllegalArgumentException("the grid lesson's pitch must satisfy 4 <= min <= max <= " + TILE / 4);
        }
        org.tessera.synth.FontBook[] faces = org.tessera.synth.FontBook.values();
        int margin = 3;
        return writeLessonImages(dataDir, name, count, seed, rng -> {
            double pitch = minPitch + rng.nextDouble() * (maxPitch - minPitch);
            double cap = 0.75 * pitch;
            double spacing = pitch * (1.6 + 0.6 * rng.nextDouble());
            int fit = (int) Math.max(1, Math.min(4, Math.floor((TILE - 2 * margin) / spacing)));
            int lineCount = 1 + rng.nextInt(fit);
            java.awt.Font font = faces[rng.nextInt(faces.length)].atCap(cap);
            var img = new java.awt.image.BufferedImage(TILE, TILE, java.awt.image.BufferedImage.TYPE_INT_RGB);
            var g = tintedPaper(img, rng, font);
            double top = margin + rng.nextDouble() * Math.max(0, TILE - 2 * margin - lineCount * spacing);
            int maxCells = (int) Math.floor((TILE - 2 * margin) / pitch);
            List<String> drawn = new java.util.ArrayList<>();
            List<java.awt.Shape> glyphs = new java.util.ArrayList<>();
            StringBuilder glyphChars = new StringBuilder();
            for (int i = 0; i < lineCount; i++) {
                int cells = 1 + rng.nextInt(maxCells);
                double x0 = margin + rng.nextDouble() * (TILE - 2 * margin - cells * pitch);
                double baseline = top + i * spacing + (spacing + cap) / 2;
                StringBuilder line = new StringBuilder();
                for (int c = 0; c < cells; c++) {
                    if (c > 0 && c + 1 < cells && line.charAt(c - 1) != ' ' && rng.nextInt(10) < 3) {
                        line.append(' '); // a single space between characters, never two: the answer's spaces are then unambiguous
                        continue;
                    }
                    char ch = charset.charAt(rng.nextInt(charset.length()));
                    java.awt.font.GlyphVector gv = font.createGlyphVector(org.tessera.synth.FontBook.FRC, String.valueOf(ch));
                    var bounds = gv.getVisualBounds();
                    float x = (float) (x0 + c * pitch + (pitch - bounds.getWidth()) / 2 - bounds.getX());
                    g.drawGlyphVector(gv, x, (float) baseline);
                    glyphs.add(gv.getGlyphOutline(0, x, (float) baseline));
                    glyphChars.append(ch);
                    line.append(ch);
                }
                String t = line.toString().strip();
                if (!t.isEmpty()) drawn.add(t);
            }
            g.dispose();
            return drawn.isEmpty() ? null : new LessonImage(img, drawn, patchText(glyphs, glyphChars));
        });
    }

    /**
     * Writes {@code train_NAME.jsonl} and {@code NAME/}: {@code count} single-tile images (one {@link #TILE} px
     * square each, so dynamic tiling leaves them whole) with one to four lines of receipt text drawn at cap heights
     * from {@code minCap} to {@code maxCap} px, answered with those lines. The text is lines of the training receipts
     * (cut to the tile's width), redrawn in every face the generator uses, so the characters, words and prices are the
     * receipts' own. This is the reader's first lesson: at this scale a character spans about one 14 px patch and
     * the answer is every character in the image, so the ViT learns glyphs from dense, local supervision before it
     * must find them in a page of twelve tiles (text-line recognition before document parsing).
     */
    public static Path writeTileTextData(Path dataDir, String name, int count, long seed, double minCap, double maxCap, double randomShare) {
        List<String> pool = new java.util.ArrayList<>();
        try (BufferedReader layout = Files.newBufferedReader(dataDir.resolve("train_layout.jsonl"), StandardCharsets.UTF_8)) {
            for (String l; pool.size() < 200_000 && (l = layout.readLine()) != null; ) {
                if (l.isBlank()) continue;
                for (Line line : lines(JSON.readTree(l).path("items"))) pool.add(line.text().replaceAll("\\s+", " ").strip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dataDir.resolve("train_layout.jsonl") + ": " + e.getMessage(), e);
        }
        if (pool.isEmpty()) throw new IllegalArgumentException(dataDir + ": train_layout.jsonl has no text");
        return writeFreeLines(dataDir, name, count, seed, minCap, maxCap, rng -> {
            String text = rng.nextDouble() < randomShare ? randomText(rng, 4 + rng.nextInt(20)) : pool.get(rng.nextInt(pool.size()));
            if (rng.nextInt(3) == 0) { // sometimes start within the line, so line endings are seen as often as starts
                int from = rng.nextInt(Math.max(1, text.length() / 2));
                text = text.substring(from).strip();
            }
            return text;
        });
    }

    /**
     * Writes {@code train_NAME.jsonl} and {@code NAME/}: like {@link #writeTileTextData}, but every line is the kind of
     * thing the receipts' questions ask for, in random digits: prices, dates, times and numbers ({@link #numberText}),
     * so its characters are {@link #CELL_CHARS} and a space. The bridge from the cells (one character per patch, where
     * the decoder reads) to free text (any position, proportional faces, two or three characters per patch), with
     * the characters held fixed, so that the only new thing is where they are.
     */
    public static Path writeDigitTextData(Path dataDir, String name, int count, long seed, double minCap, double maxCap) {
        return writeFreeLines(dataDir, name, count, seed, minCap, maxCap, rng -> numberText(rng, 4 + rng.nextInt(16)));
    }

    /**
     * Draws {@code count} one-tile images of one to four lines from {@code lineSource} (cut to the tile's width) at
     * any position, in a random face at a cap height in [minCap, maxCap], and writes them with their patch labels ({@link #patchText}).
     */
    private static Path writeFreeLines(Path dataDir, String name, int count, long seed, double minCap, double maxCap,
                                       java.util.function.Function<java.util.SplittableRandom, String> lineSource) {
        org.tessera.synth.FontBook[] faces = org.tessera.synth.FontBook.values();
        int margin = 4;
        return writeLessonImages(dataDir, name, count, seed, rng -> {
            double cap = minCap + rng.nextDouble() * (maxCap - minCap);
            double pitch = cap * (1.6 + 0.4 * rng.nextDouble());
            int fit = (int) Math.max(1, Math.min(4, Math.floor((TILE - 2 * margin) / pitch)));
            int lineCount = 1 + rng.nextInt(fit);
            org.tessera.synth.FontBook face = faces[rng.nextInt(faces.length)];
            java.awt.Font font = face.atCap(cap);
            var img = new java.awt.image.BufferedImage(TILE, TILE, java.awt.image.BufferedImage.TYPE_INT_RGB);
            var g = tintedPaper(img, rng, font);
            double top = margin + rng.nextDouble() * Math.max(0, TILE - 2 * margin - lineCount * pitch);
            List<String> drawn = new java.util.ArrayList<>();
            List<java.awt.Shape> glyphs = new java.util.ArrayList<>();
            StringBuilder glyphChars = new StringBuilder();
            for (int i = 0; i < lineCount; i++) {
                String text = lineSource.apply(rng);
                while (!text.isEmpty() && font.getStringBounds(text, org.tessera.synth.FontBook.FRC).getWidth() > TILE - 2 * margin) {
                    text = text.substring(0, text.length() - 1).strip();
                }
                if (text.isEmpty()) continue;
                double width = font.getStringBounds(text, org.tessera.synth.FontBook.FRC).getWidth();
                double x = margin + rng.nextDouble() * Math.max(0, TILE - 2 * margin - width);
                double baseline = top + (drawn.size() + 1) * pitch - (pitch - cap) / 2;
                java.awt.font.GlyphVector gv = font.createGlyphVector(org.tessera.synth.FontBook.FRC, text);
                g.drawGlyphVector(gv, (float) x, (float) baseline);
                for (int k = 0; k < text.length() && k < gv.getNumGlyphs(); k++) {
                    if (text.charAt(k) == ' ') continue;
                    glyphs.add(gv.getGlyphOutline(k, (float) x, (float) baseline));
                    glyphChars.append(text.charAt(k));
                }
                drawn.add(text);
            }
            g.dispose();
            return drawn.isEmpty() ? null : new LessonImage(img, drawn, patchText(glyphs, glyphChars));
        });
    }

    /** Characters named per patch in the lessons' {@code patch_text}: the patch readout's slots. */
    public static final int PATCH_SLOTS = org.tessera.train.model.TrainableInternVL.PATCH_SLOTS;

    /**
     * The characters at each {@link #PATCH} px patch of a tile (the patch readout's labels), {@link #PATCH_SLOTS} per
     * patch, patch after patch, row by row: each glyph is named once, at the patch that holds most of its ink (pixel
     * centres inside its outline; its box's centre for a glyph too small to cover one), in the order the glyphs were
     * drawn (reading order), then spaces. Where small text puts more than {@link #PATCH_SLOTS} glyphs in one patch,
     * the rest are left out.
     */
    public static String patchText(List<java.awt.Shape> glyphs, CharSequence chars) {
        int grid = TILE / PATCH;
        char[] out = new char[grid * grid * PATCH_SLOTS];
        java.util.Arrays.fill(out, ' ');
        int[] used = new int[grid * grid];
        for (int i = 0; i < glyphs.size(); i++) {
            java.awt.Shape outline = glyphs.get(i);
            java.awt.Rectangle b = outline.getBounds();
            int[] ink = new int[grid * grid];
            int best = -1;
            for (int y = Math.max(0, b.y); y < Math.min(TILE, b.y + b.height + 1); y++) {
                for (int x = Math.max(0, b.x); x < Math.min(TILE, b.x + b.width + 1); x++) {
                    if (!outline.contains(x + 0.5, y + 0.5)) continue;
                    int p = (y / PATCH) * grid + x / PATCH;
                    ink[p]++;
                    if (best < 0 || ink[p] > ink[best]) best = p;
                }
            }
            if (best < 0) {
                java.awt.geom.Rectangle2D box = outline.getBounds2D();
                int col = (int) Math.floor(box.getCenterX() / PATCH), row = (int) Math.floor(box.getCenterY() / PATCH);
                if (col < 0 || row < 0 || col >= grid || row >= grid) continue;
                best = row * grid + col;
            }
            if (used[best] < PATCH_SLOTS) out[best * PATCH_SLOTS + used[best]++] = chars.charAt(i);
        }
        return new String(out);
    }

    private static final String RANDOM_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.,:-%#/$";

    /**
     * Characters drawn at random, in words of one to eight: text that no language prior can predict, so that the
     * only way to a lower loss is to look at the image (receipt lines alone let the decoder learn their template
     * and never look).
     */
    static String randomText(java.util.SplittableRandom rng, int length) {
        StringBuilder sb = new StringBuilder();
        while (sb.length() < length) {
            if (sb.length() > 0) sb.append(' ');
            int word = 1 + rng.nextInt(8);
            boolean digits = rng.nextInt(3) == 0;
            for (int i = 0; i < word; i++) sb.append(digits ? (char) ('0' + rng.nextInt(10)) : RANDOM_CHARS.charAt(rng.nextInt(RANDOM_CHARS.length())));
        }
        return sb.toString();
    }

    /**
     * Numbers in the receipts' formats with random digits, separated by single spaces: prices ({@code 12.34}),
     * dates ({@code 2021-07-03}), times ({@code 14:05}), counts and codes (one to six digits), and dashes.
     */
    static String numberText(java.util.SplittableRandom rng, int length) {
        StringBuilder sb = new StringBuilder();
        while (sb.length() < length) {
            if (sb.length() > 0) sb.append(' ');
            switch (rng.nextInt(6)) {
                case 0, 1 -> sb.append(digits(rng, 1 + rng.nextInt(3))).append('.').append(digits(rng, 2));
                case 2 -> sb.append(digits(rng, 4)).append('-').append(digits(rng, 2)).append('-').append(digits(rng, 2));
                case 3 -> sb.append(digits(rng, 2)).append(':').append(digits(rng, 2));
                case 4 -> sb.append(digits(rng, 1 + rng.nextInt(6)));
                default -> sb.append("-".repeat(1 + rng.nextInt(3)));
            }
        }
        return sb.toString();
    }

    private static String digits(java.util.SplittableRandom rng, int n) {
        char[] c = new char[n];
        for (int i = 0; i < n; i++) c[i] = (char) ('0' + rng.nextInt(10));
        return new String(c);
    }

    /** A lesson image as drawn: the picture, its lines (the answer) and its patch labels ({@link #patchText}). */
    private record LessonImage(java.awt.image.BufferedImage img, List<String> lines, String patchText) {}

    /**
     * Writes {@code train_NAME.jsonl} and {@code NAME/}: {@code count} images, each from one call of {@code draw} on
     * the lesson's random stream (seeded with {@code seed}); a call that returns null drew nothing and is repeated.
     */
    private static Path writeLessonImages(Path dataDir, String name, int count, long seed,
                                          java.util.function.Function<java.util.SplittableRandom, LessonImage> draw) {
        Path out = dataDir.resolve("train_" + name + ".jsonl");
        Path dir = dataDir.resolve(name);
        AtomicFiles.write(out, stream -> {
            BufferedWriter w = new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8));
            Files.createDirectories(dir);
            java.util.SplittableRandom rng = new java.util.SplittableRandom(seed);
            for (int n = 0; n < count; n++) {
                LessonImage image = draw.apply(rng);
                if (image == null) { n--; continue; }
                writeLessonExample(dataDir, name, n, image.img(), image.lines(), image.patchText(), w);
            }
            w.flush();
        });
        return out;
    }

    /** Fills the tile with paper of a random light shade (a little yellow at times) and sets a dark ink, anti-aliased, in {@code font}. */
    private static java.awt.Graphics2D tintedPaper(java.awt.image.BufferedImage img, java.util.SplittableRandom rng, java.awt.Font font) {
        var g = img.createGraphics();
        int paper = 225 + rng.nextInt(31), ink = rng.nextInt(70);
        g.setColor(new java.awt.Color(paper, paper, Math.max(0, paper - rng.nextInt(12))));
        g.fillRect(0, 0, TILE, TILE);
        g.setRenderingHint(java.awt.RenderingHints.KEY_TEXT_ANTIALIASING, java.awt.RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(java.awt.RenderingHints.KEY_FRACTIONALMETRICS, java.awt.RenderingHints.VALUE_FRACTIONALMETRICS_ON);
        g.setFont(font);
        g.setColor(new java.awt.Color(ink, ink, ink));
        return g;
    }

    /** Writes one lesson image as {@code NAME/NNNNNNN.png} and its JSONL line: "Read the text.", its lines, its patch text. */
    private static void writeLessonExample(Path dataDir, String name, int n, java.awt.image.BufferedImage img, List<String> lines,
                                           String patchText, BufferedWriter w) throws IOException {
        String file = String.format(java.util.Locale.ROOT, "%s/%07d.png", name, n);
        Files.write(dataDir.resolve(file), org.tessera.synth.PngWriter.encode(img));
        ObjectNode ex = JSON.createObjectNode();
        ex.put("id", name + "-" + n).put("image", file).put("width", TILE).put("height", TILE);
        var conv = ex.putArray("conversations");
        conv.addObject().put("from", "human").put("value", "<image>\n" + READ_STRIP_QUESTION);
        conv.addObject().put("from", "gpt").put("value", String.join("\n", lines));
        ex.put("patch_text", patchText);
        w.write(LINE.writeValueAsString(ex));
        w.newLine();
    }

    /** One way of cutting the training images into tiles, and its share of the training examples. */
    public record TilingMix(String name, int maxTiles, boolean thumbnail, String tags, double weight) {}

    /**
     * Tilings the training examples are drawn under. Most use InternVL's dynamic tiling at the model's budget; the
     * rest cover every setting the ablation table tests (one low-resolution tile, 4, 9 and 16 tiles, no thumbnail,
     * NVLM 1-D tags), so that each row measures what the images let the model read, not a prompt it has never seen.
     */
    public static final List<TilingMix> TILING_MIX = List.of(
            new TilingMix("internvl_12", 12, true, null, 0.40),
            new TilingMix("internvl_16", 16, true, null, 0.12),
            new TilingMix("internvl_9", 9, true, null, 0.12),
            new TilingMix("internvl_4", 4, true, null, 0.10),
            new TilingMix("fixed_1", 1, true, null, 0.10),
            new TilingMix("no_thumbnail_12", 12, false, null, 0.08),
            new TilingMix("nvlm_1d_12", 12, true, "1d", 0.08));

    /** Share of strip-reading examples in the training mixture (the receipts' tilings share the rest). */
    public static final double STRIP_WEIGHT = 1.0;

    /**
     * Writes {@code data/meta_tiny.json}: {@code train_read.jsonl} once per {@link #TILING_MIX} entry (weights summing
     * to 1), and {@code train_strips.jsonl} with {@link #STRIP_WEIGHT}.
     */
    public static Path writeTrainingMeta(Path dataDir) {
        ObjectNode meta = JSON.createObjectNode();
        for (TilingMix m : TILING_MIX) {
            ObjectNode e = meta.putObject(m.name());
            e.put("root", ".").put("annotation", "train_read.jsonl").put("max_dynamic_patch", m.maxTiles())
                    .put("use_thumbnail", m.thumbnail()).put("weight", m.weight());
            if (m.tags() != null) e.put("tile_tags", m.tags());
        }
        meta.putObject("strips").put("root", ".").put("annotation", "train_strips.jsonl").put("weight", STRIP_WEIGHT);
        Path p = dataDir.resolve("meta_tiny.json");
        try {
            JSON.writeValue(p.toFile(), meta);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + p + ": " + e.getMessage(), e);
        }
        return p;
    }

    static ObjectNode config(BpeTrainer.Result tok) {
        ObjectNode c = JSON.createObjectNode();
        c.putArray("architectures").add("InternVLChatModel");
        c.put("model_type", "internvl_chat");
        c.put("torch_dtype", "bfloat16");
        ObjectNode v = c.putObject("vision_config");
        v.putArray("architectures").add("InternVisionModel");
        v.put("model_type", "intern_vit_6b");
        v.put("hidden_size", VIT_WIDTH).put("intermediate_size", VIT_MLP).put("num_hidden_layers", VIT_LAYERS)
                .put("num_attention_heads", VIT_HEADS).put("patch_size", PATCH).put("image_size", TILE).put("num_channels", 3)
                .put("qkv_bias", true).put("qk_normalization", false).put("norm_type", "layer_norm").put("layer_norm_eps", 1e-6)
                .put("hidden_act", "gelu").put("drop_path_rate", 0.0).put("use_flash_attn", false);
        ObjectNode l = c.putObject("llm_config");
        l.putArray("architectures").add("Qwen2ForCausalLM");
        l.put("model_type", "qwen2");
        l.put("hidden_size", LLM_WIDTH).put("intermediate_size", LLM_MLP).put("num_hidden_layers", LLM_LAYERS)
                .put("num_attention_heads", LLM_HEADS).put("num_key_value_heads", LLM_KV_HEADS).put("rms_norm_eps", 1e-6)
                .put("rope_theta", 10000.0).put("vocab_size", tok.size()).put("max_position_embeddings", 2048)
                .put("hidden_act", "silu").put("tie_word_embeddings", true).put("torch_dtype", "bfloat16");
        l.putNull("bos_token_id");
        l.put("eos_token_id", tok.addedTokenId("<|im_end|>"));
        c.put("select_layer", -1).put("downsample_ratio", 0.5).put("ps_version", "v2").put("template", "Hermes-2");
        c.put("system_message", SYSTEM_MESSAGE);
        c.put("force_image_size", TILE).put("dynamic_image_size", true).put("use_thumbnail", true)
                .put("max_dynamic_patch", MAX_TILES).put("min_dynamic_patch", 1);
        c.put("img_context_token_id", tok.addedTokenId("<IMG_CONTEXT>"));
        return c;
    }
}
