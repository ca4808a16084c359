package org.tessera.model.internvl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.model.ConfigNode;
import org.tessera.model.ModelException;
import org.tessera.model.LlmCheckpoint;
import org.tessera.model.TinyCheckpoint;
import org.tessera.model.internlm2.InternLM2Config;
import org.tessera.model.internlm2.InternLM2Model;
import org.tessera.model.phi3.Phi3Config;
import org.tessera.model.internvit.InternVitConfig;
import org.tessera.model.qwen2.Qwen2Config;
import org.tessera.model.qwen2.Qwen2Model;
import org.tessera.model.qwen2.Qwen2Weights;

/** Config parsing (defaults, validation) and the loader's errors for unsupported or incomplete model directories. */
class ConfigAndLoadingTest {
    static final ObjectMapper OM = new ObjectMapper();

    @TempDir
    Path tmp;

    static InternVLConfig parse(String json) throws IOException {
        return InternVLConfig.parse(ConfigNode.of(OM.readTree(json), "config.json"));
    }

    static final String MINIMAL = """
            {"architectures": ["InternVLChatModel"],
             "vision_config": {},
             "llm_config": {"architectures": ["Qwen2ForCausalLM"], "hidden_size": 64, "num_attention_heads": 4,
                            "intermediate_size": 128, "num_hidden_layers": 2, "vocab_size": 100}}""";

    @Test
    void omittedKeysTakeTheOriginalDefaults() throws IOException {
        InternVLConfig c = parse(MINIMAL);
        InternVitConfig v = c.vision();
        assertEquals(InternVitConfig.NormType.RMS_NORM, v.normType());
        assertTrue(v.qkNorm());
        assertFalse(v.qkvBias());
        assertEquals(3200, v.hiddenSize());
        assertEquals(25, v.numHeads());
        assertEquals(48, v.numLayers());
        assertEquals(12800, v.intermediateSize());
        assertEquals(224, v.imageSize());
        assertEquals(14, v.patchSize());
        assertEquals(1e-6, v.normEps());
        assertEquals(InternVLConfig.PixelShuffle.V1, c.pixelShuffle());
        assertEquals(-1, c.selectLayer());
        assertEquals(48, c.featureLayer());
        assertEquals(0.5, c.downsampleRatio());
        assertEquals(224, c.imageSize(), "without force_image_size the vision image size is used");
        assertEquals(64, c.tokensPerTile()); // (224/14)² / 4
        assertNull(c.imgContextTokenId());
        assertNull(c.template());
        assertEquals(4, c.llm().numKvHeads(), "num_key_value_heads defaults to the query heads");
        assertEquals(16, c.llm().headDim());
        assertEquals(10000.0, c.llm().ropeTheta());
        assertFalse(c.llm().tieWordEmbeddings(), "Qwen2Config's default is untied");
    }

    @Test
    void internVl2OneBShapes() throws IOException {
        InternVLConfig c = parse("""
                {"architectures": ["InternVLChatModel"], "force_image_size": 448, "downsample_ratio": 0.5,
                 "ps_version": "v2", "select_layer": -1, "template": "Hermes-2",
                 "vision_config": {"hidden_size": 1024, "intermediate_size": 4096, "num_hidden_layers": 24,
                   "num_attention_heads": 16, "image_size": 448, "patch_size": 14, "norm_type": "layer_norm",
                   "qkv_bias": true, "qk_normalization": false, "layer_norm_eps": 1e-6},
                 "llm_config": {"architectures": ["Qwen2ForCausalLM"], "hidden_size": 896, "intermediate_size": 4864,
                   "num_hidden_layers": 24, "num_attention_heads": 14, "num_key_value_heads": 2, "vocab_size": 151655,
                   "rope_theta": 1000000.0, "rope_scaling": {"type": "dynamic", "factor": 2.0}}}""");
        assertEquals(256, c.tokensPerTile());
        assertEquals(4096, c.projectorInput());
        assertEquals(64, c.llm().headDim());
        assertEquals(128, c.llm().kvDim());
        assertEquals("Hermes-2", c.template());
    }

    static void assertMessage(String json, String... parts) {
        ModelException e = assertThrows(ModelException.class, () -> parse(json));
        for (String p : parts) assertTrue(e.getMessage().contains(p), "'" + e.getMessage() + "' should mention '" + p + "'");
    }

    @Test
    void unsupportedChoicesSayWhatIsSupported() {
        assertMessage(MINIMAL.replace("Qwen2ForCausalLM", "LlamaForCausalLM"),
                "llm_config.architectures is LlamaForCausalLM", "supported: Qwen2ForCausalLM (InternVL2-1B, InternVL2_5-1B)",
                "InternLM2ForCausalLM (InternVL2-2B, Mini-InternVL-Chat-2B-V1-5)", "Phi3ForCausalLM (InternVL2-4B, Mini-InternVL-Chat-4B-V1-5)");
        assertMessage(MINIMAL.replace("\"InternVLChatModel\"", "\"InternVLForConditionalGeneration\""),
                "InternVLForConditionalGeneration", "supported: InternVLChatModel");
        assertMessage(MINIMAL.replace("\"vision_config\": {}", "\"vision_config\": {\"norm_type\": \"batch_norm\"}"),
                "vision_config.norm_type", "layer_norm", "rms_norm");
        assertMessage(MINIMAL.replace("\"vision_config\": {}", "\"vision_config\": {}, \"ps_version\": \"v3\""), "ps_version", "v1", "v2");
        assertMessage(MINIMAL.replace("\"vision_config\": {}", "\"vision_config\": {}, \"downsample_ratio\": 0.3"), "downsample_ratio");
        assertMessage(MINIMAL.replace("\"vision_config\": {}", "\"vision_config\": {}, \"select_layer\": -50"), "select_layer", "-50");
        assertMessage(MINIMAL.replace("\"vision_config\": {}", "\"vision_config\": {\"hidden_size\": 3201}"),
                "vision_config", "not a multiple of num_attention_heads");
        assertMessage(MINIMAL.replace("\"vision_config\": {}", "\"vision_config\": {\"hidden_size\": \"big\"}"),
                "vision_config.hidden_size", "integer");
        assertMessage(MINIMAL.replace("\"vocab_size\": 100", "\"vocab_size\": 100, \"rope_scaling\": {\"type\": \"yarn\"}"), "rope_scaling", "yarn");
        assertMessage(MINIMAL.replace("\"vocab_size\": 100", "\"vocab_size\": 100, \"use_sliding_window\": true"), "use_sliding_window");
        assertMessage(MINIMAL.replace("\"llm_config\": {\"architectures\": [\"Qwen2ForCausalLM\"],", "\"llm_config\": {"),
                "llm_config.architectures", "required");
    }

    static String withLlm(String llmConfig) {
        return MINIMAL.substring(0, MINIMAL.indexOf("\"llm_config\"")) + "\"llm_config\": " + llmConfig + "}";
    }

    @Test
    void internLM2DefaultsAndInternVL22BShapes() throws IOException {
        InternLM2Config d = (InternLM2Config) parse(withLlm("{\"architectures\": [\"InternLM2ForCausalLM\"]}")).llm();
        // InternLM2Config's own defaults (remote code): a 7B-like shape, bias on, eps 1e-6, 2048 positions.
        assertEquals(103168, d.vocabSize());
        assertEquals(4096, d.hiddenSize());
        assertEquals(11008, d.intermediateSize());
        assertEquals(32, d.numKvHeads());
        assertEquals(128, d.headDim());
        assertEquals(1e-6, d.rmsNormEps());
        assertEquals(10000.0, d.ropeTheta());
        assertEquals(2048, d.maxPositions());
        assertTrue(d.bias());
        assertFalse(d.tieWordEmbeddings());
        InternLM2Config c = (InternLM2Config) parse(withLlm("""
                {"architectures": ["InternLM2ForCausalLM"], "hidden_size": 2048, "intermediate_size": 8192,
                 "num_hidden_layers": 24, "num_attention_heads": 16, "num_key_value_heads": 8, "vocab_size": 92553,
                 "rms_norm_eps": 1e-5, "rope_theta": 1000000, "max_position_embeddings": 32768, "bias": false,
                 "rope_scaling": {"type": "dynamic", "factor": 2.0}, "attn_implementation": "flash_attention_2"}""")).llm();
        assertEquals(128, c.headDim());
        assertEquals(2, c.group());
        assertEquals(4096, c.qkvRows());
        assertFalse(c.bias());
        assertEquals(1e6, c.ropeTheta());
    }

    @Test
    void phi3DefaultsAndInternVL24BShapes() throws IOException {
        Phi3Config d = (Phi3Config) parse(withLlm("{\"architectures\": [\"Phi3ForCausalLM\"]}")).llm();
        assertEquals(32064, d.vocabSize());
        assertEquals(3072, d.hiddenSize());
        assertEquals(96, d.headDim());
        assertEquals(32, d.numKvHeads());
        assertEquals(1e-5, d.rmsNormEps());
        assertEquals(4096, d.maxPositions());
        assertNull(d.ropeScaling());
        assertNull(d.slidingWindow());
        String f48 = "[" + "1.0, ".repeat(47) + "1.0]";
        Phi3Config c = (Phi3Config) parse(withLlm("""
                {"architectures": ["Phi3ForCausalLM"], "hidden_size": 3072, "intermediate_size": 8192, "num_hidden_layers": 32,
                 "num_attention_heads": 32, "num_key_value_heads": 32, "vocab_size": 32020, "max_position_embeddings": 131072,
                 "original_max_position_embeddings": 4096, "sliding_window": 262144, "rope_theta": 10000.0,
                 "rope_scaling": {"type": "su", "short_factor": FACTORS, "long_factor": FACTORS}}""".replace("FACTORS", f48))).llm();
        assertEquals(131072, c.maxPositions(), "a window wider than the positions changes nothing");
        assertEquals(9216, c.qkvRows());
        assertEquals(48, c.ropeScaling().shortFactor().length);
        Phi3Config windowed = (Phi3Config) parse(withLlm("""
                {"architectures": ["Phi3ForCausalLM"], "sliding_window": 2047, "max_position_embeddings": 4096}""")).llm();
        assertEquals(2047, windowed.maxPositions());
        assertTrue(windowed.positionLimit().contains("sliding_window 2047"), windowed.positionLimit());
    }

    @Test
    void familyChoicesThatWouldComputeWronglyAreRefused() {
        String ilm = "{\"architectures\": [\"InternLM2ForCausalLM\"], \"hidden_size\": 64, \"num_attention_heads\": 4X}";
        assertMessage(withLlm(ilm.replace("X", ", \"rope_scaling\": {\"type\": \"linear\", \"factor\": 2.0}")),
                "llm_config.rope_scaling", "\"linear\" is not supported", "\"dynamic\"");
        assertMessage(withLlm(ilm.replace("X", ", \"rope_pos_id_version\": \"v2pe\"")), "llm_config.rope_pos_id_version", "v2pe");
        assertMessage(withLlm(ilm.replace("X", ", \"hidden_act\": \"gelu\"")), "llm_config.hidden_act", "silu");
        assertMessage(withLlm(ilm.replace("X", ", \"num_key_value_heads\": 3")), "llm_config", "not a multiple of num_key_value_heads 3");
        assertMessage(withLlm(ilm.replace("\"hidden_size\": 64", "\"hidden_size\": 66").replace("X", "")), "hidden_size 66 is not a multiple");
        String phi = "{\"architectures\": [\"Phi3ForCausalLM\"], \"hidden_size\": 64, \"num_attention_heads\": 4X}"; // head dim 16: 8 factors
        String f8 = "[1, 1, 1, 1, 1, 1, 1, 1]";
        assertMessage(withLlm(phi.replace("X", ", \"rope_scaling\": {\"type\": \"yarn\", \"short_factor\": FACTORS, \"long_factor\": FACTORS}").replace("FACTORS", f8)),
                "llm_config.rope_scaling", "\"yarn\" is not supported", "\"su\" / \"longrope\"");
        assertMessage(withLlm(phi.replace("X", ", \"rope_scaling\": {\"type\": \"longrope\", \"short_factor\": [1, 1], \"long_factor\": [1, 1]}")),
                "need head size / 2 = 8 values each, got 2 and 2");
        assertMessage(withLlm(phi.replace("X", ", \"rope_scaling\": {\"type\": \"su\", \"short_factor\": FACTORS, \"long_factor\": FACTORS, \"attention_factor\": 1.5}")
                .replace("FACTORS", f8)), "llm_config.rope_scaling", "attention_factor");
        assertMessage(withLlm(phi.replace("X", ", \"rope_scaling\": {\"type\": \"su\", \"short_factor\": [1, 1, 1, 1, 1, 1, 1, 0], \"long_factor\": FACTORS}")
                .replace("FACTORS", f8)), "rope_scaling.short_factor", "positive");
        assertMessage(withLlm(phi.replace("X", ", \"partial_rotary_factor\": 0.75")), "llm_config.partial_rotary_factor", "0.75");
        assertMessage(withLlm(phi.replace("X", ", \"head_dim\": 32")), "llm_config.head_dim", "16");
    }

    @Test
    void sequencesBeyondTheSlidingWindowAreRefusedNamingIt() {
        TinyCheckpoint.Spec s = new TinyCheckpoint.Spec();
        s.llmArch = LlmCheckpoint.PHI3;
        s.llmKvHeads = 4;
        Path dir = tiny(s, "w");
        try {
            editConfig(dir, r -> ((ObjectNode) r.get("llm_config")).put("sliding_window", 12));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        try (InternVLModel m = InternVLModel.load(dir)) {
            var lm = m.language();
            assertEquals(12, lm.maxPositions());
            ModelException e = assertThrows(ModelException.class, () -> lm.forward(new float[13 * 64], 13, lm.newCache()));
            assertTrue(e.getMessage().contains("sequence of 13 tokens exceeds sliding_window 12"), e.getMessage());
            assertEquals(12 * 160, lm.forward(new float[12 * 64], 12, lm.newCache()).length);
        }
    }

    // ---------------------------------------------------------------- loading

    private Path tiny(TinyCheckpoint.Spec s, String name) {
        return TinyCheckpoint.write(tmp.resolve(name), s);
    }

    private static void editConfig(Path dir, Consumer<ObjectNode> edit) throws IOException {
        ObjectNode root = (ObjectNode) OM.readTree(Files.readString(dir.resolve("config.json")));
        edit.accept(root);
        Files.writeString(dir.resolve("config.json"), root.toPrettyString());
    }

    @Test
    void missingTensorIsNamed() throws IOException {
        Path dir = tiny(new TinyCheckpoint.Spec(), "m");
        // The config now asks for the 6B form's q/k norms, which this checkpoint does not have.
        editConfig(dir, r -> ((ObjectNode) r.get("vision_config")).put("qk_normalization", true));
        ModelException e = assertThrows(ModelException.class, () -> InternVLModel.load(dir));
        assertEquals("model.safetensors: missing tensor vision_model.encoder.layers.0.attn.q_norm.weight", e.getMessage());
    }

    /** The language-model tensors of each family are named when missing (their names are the checkpoint's). */
    @Test
    void missingLanguageModelTensorsAreNamed() throws IOException {
        for (String[] c : new String[][] {
                {LlmCheckpoint.INTERNLM2, "language_model.model.layers.1.attention.wqkv.weight"},
                {LlmCheckpoint.INTERNLM2, "language_model.output.weight"},
                {LlmCheckpoint.PHI3, "language_model.model.layers.0.mlp.gate_up_proj.weight"},
                {LlmCheckpoint.PHI3, "language_model.model.layers.1.self_attn.qkv_proj.weight"},
                {LlmCheckpoint.QWEN2, "language_model.model.layers.0.self_attn.k_proj.bias"}}) {
            TinyCheckpoint.Spec s = new TinyCheckpoint.Spec();
            s.llmArch = c[0];
            s.tie = false;
            s.writeLmHead = true;
            Path dir = tiny(s, "drop");
            dropTensor(dir, c[1]);
            if (c[1].endsWith("output.weight")) {
                // Untied without output.weight falls back to the embeddings (like a tied model saved without the copy);
                // tie_word_embeddings false plus a missing head is therefore not an error.
                try (InternVLModel m = InternVLModel.load(dir)) {
                    assertTrue(((InternLM2Model) m.language()).weights().headTied());
                }
                continue;
            }
            ModelException e = assertThrows(ModelException.class, () -> InternVLModel.load(dir));
            assertEquals("model.safetensors: missing tensor " + c[1], e.getMessage());
        }
    }

    /** Rewrites model.safetensors without one tensor. */
    static void dropTensor(Path dir, String name) throws IOException {
        Path file = dir.resolve("model.safetensors");
        java.util.Map<String, org.tessera.core.tensor.Tensor> keep = new java.util.LinkedHashMap<>();
        Path copy = dir.resolve("old.safetensors");
        Files.move(file, copy);
        try (org.tessera.core.io.SafetensorsFile f = org.tessera.core.io.SafetensorsFile.open(copy)) {
            for (String n : f.names()) if (!n.equals(name)) keep.put(n, f.tensor(n));
            assertTrue(keep.size() < f.names().size(), name + " not in the checkpoint");
            org.tessera.core.io.SafetensorsWriter.writeAll(file, keep, java.util.Map.of("format", "pt"));
        }
        Files.delete(copy);
    }

    @Test
    void shapeMismatchIsNamed() throws IOException {
        Path dir = tiny(new TinyCheckpoint.Spec(), "m");
        editConfig(dir, r -> ((ObjectNode) r.get("llm_config")).put("intermediate_size", 96));
        ModelException e = assertThrows(ModelException.class, () -> InternVLModel.load(dir));
        assertTrue(e.getMessage().contains("language_model.model.layers.0.mlp.gate_proj.weight has shape [128, 64], the config implies [96, 64]"),
                e.getMessage());
    }

    @Test
    void missingFiles() throws IOException {
        Path dir = tiny(new TinyCheckpoint.Spec(), "m");
        Files.delete(dir.resolve("model.safetensors"));
        ModelException e = assertThrows(ModelException.class, () -> InternVLModel.load(dir));
        assertTrue(e.getMessage().contains("neither model.safetensors nor model.safetensors.index.json"), e.getMessage());
        Files.delete(dir.resolve("config.json"));
        e = assertThrows(ModelException.class, () -> InternVLModel.load(dir));
        assertTrue(e.getMessage().contains("config.json: no such file"), e.getMessage());
        e = assertThrows(ModelException.class, () -> InternVLModel.load(tmp.resolve("nowhere")));
        assertTrue(e.getMessage().contains("not a model directory"), e.getMessage());
    }

    /** tie_word_embeddings false without a stored lm_head.weight: the head is the embedding matrix (as stored). */
    @Test
    void untiedFlagWithoutLmHeadFallsBackToTied() throws IOException {
        TinyCheckpoint.Spec s = new TinyCheckpoint.Spec();
        s.seed = 5;
        Path tied = tiny(s, "tied");
        s.tie = false;
        Path flagOff = tiny(s, "flag-off"); // same seed, same weights, no lm_head.weight written
        int[] ids = {1, 2, 3, 4, 5};
        try (InternVLModel a = InternVLModel.load(tied); InternVLModel b = InternVLModel.load(flagOff)) {
            assertTrue(((Qwen2Model) b.language()).weights().headTied());
            float[] la = a.language().forward(a.language().embed(ids), ids.length, a.language().newCache());
            float[] lb = b.language().forward(b.language().embed(ids), ids.length, b.language().newCache());
            assertArrayEquals(la, lb);
        }
    }

    /** tie_word_embeddings true wins over a stored lm_head.weight, as transformers' tie_weights does. */
    @Test
    void tiedFlagIgnoresStoredLmHead() {
        TinyCheckpoint.Spec s = new TinyCheckpoint.Spec();
        s.writeLmHead = true;
        try (InternVLModel m = InternVLModel.load(tiny(s, "m"))) {
            Qwen2Weights w = ((Qwen2Model) m.language()).weights();
            assertTrue(w.headTied());
            assertTrue(w.lmHead() == w.embedTokens());
        }
    }

    @Test
    void imgContextIdFromTokenizerFirstThenConfig() throws IOException {
        TinyCheckpoint.Spec s = new TinyCheckpoint.Spec();
        Path dir = tiny(s, "m");
        try (InternVLModel m = InternVLModel.load(dir)) {
            assertEquals(150, m.imgContextTokenId()); // config.json only
        }
        Files.writeString(dir.resolve("tokenizer_config.json"), """
                {"added_tokens_decoder": {"151": {"content": "<img>"}, "152": {"content": "<IMG_CONTEXT>"}}}""");
        try (InternVLModel m = InternVLModel.load(dir)) {
            assertEquals(152, m.imgContextTokenId());
        }
        Files.writeString(dir.resolve("tokenizer.json"), """
                {"added_tokens": [{"id": 153, "content": "<IMG_CONTEXT>", "special": true}], "model": {"vocab": {}}}""");
        try (InternVLModel m = InternVLModel.load(dir)) {
            assertEquals(153, m.imgContextTokenId());
        }
        Files.delete(dir.resolve("tokenizer.json"));
        Files.delete(dir.resolve("tokenizer_config.json"));
        editConfig(dir, r -> r.remove("img_context_token_id"));
        ModelException e = assertThrows(ModelException.class, () -> InternVLModel.load(dir));
        assertTrue(e.getMessage().contains("img_context_token_id"), e.getMessage());
    }

    @Test
    void imageTokenCountMustMatchTiles() {
        try (InternVLModel m = InternVLModel.load(tiny(new TinyCheckpoint.Spec(), "m"))) {
            int k = m.tokensPerTile();
            int[] ids = TinyCheckpoint.prompt(1, 3, k, 3, 160, 150); // one tile's worth
            float[] px = TinyCheckpoint.pixels(1, 2, 56);
            ModelException e = assertThrows(ModelException.class, () -> m.forward(px, 2, ids));
            assertTrue(e.getMessage().contains("hold " + k + " <IMG_CONTEXT> tokens"), e.getMessage());
            assertTrue(e.getMessage().contains("2 tiles × " + k), e.getMessage());
        }
    }
}
