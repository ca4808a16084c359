package org.tessera.model.internvl;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.tessera.model.ConfigNode;
import org.tessera.model.ModelException;
import org.tessera.model.WeightReader;
import org.tessera.model.internlm2.InternLM2Config;
import org.tessera.model.internlm2.InternLM2Model;
import org.tessera.model.internlm2.InternLM2Weights;
import org.tessera.model.llm.LanguageModel;
import org.tessera.model.llm.LlmConfig;
import org.tessera.model.phi3.Phi3Config;
import org.tessera.model.phi3.Phi3Model;
import org.tessera.model.phi3.Phi3Weights;
import org.tessera.model.qwen2.Qwen2Config;
import org.tessera.model.qwen2.Qwen2Model;
import org.tessera.model.qwen2.Qwen2Weights;

/**
 * The language-model families an InternVL checkpoint may carry, chosen by {@code llm_config.architectures[0]} as
 * the original {@code InternVLChatConfig} chooses them: config parsing and weight loading for each.
 */
public final class LanguageModels {
    private LanguageModels() {}

    /** Architecture → the InternVL models that use it (for messages). */
    public static final Map<String, String> SUPPORTED;

    static {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(Qwen2Config.ARCHITECTURE, "InternVL2-1B, InternVL2_5-1B");
        m.put(InternLM2Config.ARCHITECTURE, "InternVL2-2B, Mini-InternVL-Chat-2B-V1-5");
        m.put(Phi3Config.ARCHITECTURE, "InternVL2-4B, Mini-InternVL-Chat-4B-V1-5");
        SUPPORTED = java.util.Collections.unmodifiableMap(m);
    }

    /** "Qwen2ForCausalLM (InternVL2-1B, InternVL2_5-1B), ..." */
    public static String supportedList() {
        return SUPPORTED.entrySet().stream().map(e -> e.getKey() + " (" + e.getValue() + ")").collect(Collectors.joining(", "));
    }

    /** Parses {@code llm_config} by its {@code architectures[0]}; anything else is refused naming what is supported. */
    public static LlmConfig parse(ConfigNode llm) {
        String arch = llm.firstStringOr("architectures", null);
        if (arch == null) throw llm.error("architectures", "is required (it names the language model class)");
        return switch (arch) {
            case Qwen2Config.ARCHITECTURE -> Qwen2Config.parse(llm);
            case InternLM2Config.ARCHITECTURE -> InternLM2Config.parse(llm);
            case Phi3Config.ARCHITECTURE -> Phi3Config.parse(llm);
            default -> throw llm.error("architectures", "is " + arch + ", which this runtime does not run; supported: " + supportedList());
        };
    }

    /** Loads the language model's weights under {@code prefix} and builds it; {@code int8}: Q8_0 matrices. */
    public static LanguageModel load(WeightReader r, String prefix, LlmConfig cfg, boolean int8) {
        return switch (cfg) {
            case Qwen2Config c -> new Qwen2Model(c, Qwen2Weights.load(r, prefix, c, int8));
            case InternLM2Config c -> new InternLM2Model(c, InternLM2Weights.load(r, prefix, c, int8));
            case Phi3Config c -> new Phi3Model(c, Phi3Weights.load(r, prefix, c, int8));
            default -> throw new ModelException("no loader for " + cfg.architecture());
        };
    }
}
