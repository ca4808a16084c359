package org.tessera.model.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * InternVL's conversation templates ({@code internvl_chat/internvl/conversation.py}) and what {@code chat()} does
 * with them ({@code modeling_internvl_chat.py}): building the query string with image placeholders expanded, and
 * cutting the answer out of the decoded output.
 *
 * <p>All four templates use the MPT separator style:
 * <pre>
 *   system_template.format(system_message) + sep
 *   + for each (role, message): role + message + sep   if message is non-empty
 *                               role                    otherwise (the open assistant turn)
 * </pre>
 * InternVL2-era templates have no newline after {@code <|im_end|>}; {@code internvl2_5} has one.
 * {@code Hermes-2} and {@code internlm2-chat} give identical strings (they differ only in the tokenizer adding
 * {@code <s>}).
 */
public final class ChatTemplate {

    /** System message of the InternVL2-era templates. */
    public static final String SYSTEM_MESSAGE_V2 =
            "你是由上海人工智能实验室联合商汤科技开发的书生多模态大模型，英文名叫InternVL, 是一个有用无害的人工智能助手。";

    /** System message of {@code internvl2_5}. */
    public static final String SYSTEM_MESSAGE_V2_5 =
            "你是书生·万象，英文名是InternVL，是由上海人工智能实验室、清华大学及多家合作单位联合开发的多模态大语言模型。";

    /** InternVL2-1B (Qwen2-0.5B-Instruct). */
    public static final ChatTemplate HERMES_2 = new ChatTemplate("Hermes-2", "<|im_start|>system\n{system_message}",
            SYSTEM_MESSAGE_V2, "<|im_start|>user\n", "<|im_start|>assistant\n", "<|im_end|>");

    /** InternVL2-2B and Mini-InternVL-Chat-2B-V1-5 (internlm2-chat-1_8b). */
    public static final ChatTemplate INTERNLM2_CHAT = new ChatTemplate("internlm2-chat",
            "<|im_start|>system\n{system_message}", SYSTEM_MESSAGE_V2, "<|im_start|>user\n",
            "<|im_start|>assistant\n", "<|im_end|>");

    /** InternVL2-4B and Mini-InternVL-Chat-4B-V1-5 (Phi-3); for reference. */
    public static final ChatTemplate PHI3_CHAT = new ChatTemplate("phi3-chat", "<|system|>\n{system_message}",
            SYSTEM_MESSAGE_V2, "<|user|>\n", "<|assistant|>\n", "<|end|>");

    /** InternVL2_5-1B (Qwen2.5-0.5B-Instruct). */
    public static final ChatTemplate INTERNVL2_5 = new ChatTemplate("internvl2_5", "<|im_start|>system\n{system_message}",
            SYSTEM_MESSAGE_V2_5, "<|im_start|>user\n", "<|im_start|>assistant\n", "<|im_end|>\n");

    /** The placeholder {@code chat()} replaces with an image's tokens. */
    public static final String IMAGE_PLACEHOLDER = "<image>";

    private final String name;
    private final String systemTemplate;
    private final String systemMessage;
    private final String userRole;
    private final String assistantRole;
    private final String sep;

    private ChatTemplate(String name, String systemTemplate, String systemMessage, String userRole,
                         String assistantRole, String sep) {
        this.name = name;
        this.systemTemplate = systemTemplate;
        this.systemMessage = systemMessage;
        this.userRole = userRole;
        this.assistantRole = assistantRole;
        this.sep = sep;
    }

    /** The template a checkpoint's {@code config.template} names. */
    public static ChatTemplate byName(String name) {
        for (ChatTemplate t : List.of(HERMES_2, INTERNLM2_CHAT, PHI3_CHAT, INTERNVL2_5)) {
            if (t.name.equals(name)) return t;
        }
        throw new IllegalArgumentException("unknown conversation template '" + name
                + "' (known: Hermes-2, internlm2-chat, phi3-chat, internvl2_5)");
    }

    /**
     * The same template with another system message: {@code chat()} sets {@code template.system_message =
     * model.system_message}, which is {@code config.system_message} when the checkpoint's config has one.
     */
    public ChatTemplate withSystemMessage(String message) {
        return new ChatTemplate(name, systemTemplate, Objects.requireNonNull(message), userRole, assistantRole, sep);
    }

    public String name() {
        return name;
    }

    public String systemMessage() {
        return systemMessage;
    }

    public String userRole() {
        return userRole;
    }

    public String assistantRole() {
        return assistantRole;
    }

    public String sep() {
        return sep;
    }

    /**
     * The token generation stops at and the answer is cut at: {@code template.sep.strip()}
     * ({@code <|im_end|>}, or {@code <|end|>} for phi3-chat).
     */
    public String stopToken() {
        return pythonStrip(sep);
    }

    /** The system part: {@code system_template.format(system_message=...)}. */
    public String systemPrompt() {
        return systemTemplate.replace("{system_message}", systemMessage);
    }

    /**
     * {@code get_prompt()} after {@code chat()} appended the history, the question and an open assistant turn. No
     * placeholder handling: see {@link #query} for that.
     */
    public String prompt(List<Turn> history, String question) {
        StringBuilder sb = new StringBuilder(systemPrompt()).append(sep);
        if (history != null) {
            for (Turn t : history) {
                appendMessage(sb, userRole, t.user());
                appendMessage(sb, assistantRole, t.assistant());
            }
        }
        appendMessage(sb, userRole, question);
        appendMessage(sb, assistantRole, null);
        return sb.toString();
    }

    /** MPT: a non-empty message is followed by the separator; an empty or missing one leaves the role open. */
    private void appendMessage(StringBuilder sb, String role, String message) {
        sb.append(role);
        if (message != null && !message.isEmpty()) sb.append(message).append(sep);
    }

    /** The query text {@code chat()} tokenizes, and the question as it is stored in the history. */
    public record Query(String text, String question) {}

    /**
     * The query exactly as {@code chat()} builds it:
     * <ol>
     *   <li>if there is no history ({@code history == null}, Python's {@code None}: an empty list is a history) and
     *       there are images and the question has no {@code <image>}, the question becomes
     *       {@code "<image>\n" + question};</li>
     *   <li>the prompt is built ({@link #prompt});</li>
     *   <li>for each image in order, the first remaining {@code <image>} of the whole prompt (history included) is
     *       replaced by the image's text ({@link ImageTokenLayout#expand} with {@code <IMG_CONTEXT>}).</li>
     * </ol>
     * With {@code images == null} or empty (no {@code pixel_values}), placeholders stay as literal text, as in
     * Python. More images than placeholders is an error here; Python would silently drop the image and then fail
     * when the image embeddings do not fit the {@code <IMG_CONTEXT>} positions.
     *
     * @param history  earlier turns, or null for a first turn
     * @param images   one layout per image ({@code num_patches_list}), in text order; null or empty for none
     */
    public Query query(List<Turn> history, String question, List<? extends ImageTokenLayout> images) {
        boolean hasImages = images != null && !images.isEmpty();
        if (history == null && hasImages && !question.contains(IMAGE_PLACEHOLDER)) {
            question = IMAGE_PLACEHOLDER + "\n" + question;
        }
        String q = prompt(history, question);
        if (hasImages) {
            StringBuilder sb = new StringBuilder(q.length() + 64);
            int from = 0, k = 0;
            for (ImageTokenLayout img : images) {
                int at = q.indexOf(IMAGE_PLACEHOLDER, from);
                if (at < 0) {
                    throw new IllegalArgumentException(images.size() + " images but only " + k
                            + " <image> placeholders in the prompt");
                }
                sb.append(q, from, at).append(img.expand(InternVLImageTokens.IMG_CONTEXT));
                from = at + IMAGE_PLACEHOLDER.length();
                k++;
            }
            sb.append(q, from, q.length());
            q = sb.toString();
        }
        return new Query(q, question);
    }

    /**
     * The answer {@code chat()} returns, from the generated ids decoded with {@code skip_special_tokens=True}:
     * the text before the first stop token, stripped of surrounding whitespace (Python's {@code str.strip()}).
     */
    public String response(String decoded) {
        String stop = stopToken();
        int at = decoded.indexOf(stop);
        return pythonStrip(at >= 0 ? decoded.substring(0, at) : decoded);
    }

    /** {@link #response(String)} of {@code tokenizer.decode(generated, skipSpecial = true)}. */
    public String response(Tokenizer tokenizer, int[] generated) {
        return response(tokenizer.decode(generated, true));
    }

    /** The id generation stops at: {@code convert_tokens_to_ids(template.sep.strip())}. */
    public int stopTokenId(Tokenizer tokenizer) {
        int id = tokenizer.tokenId(stopToken());
        if (id < 0) throw new IllegalArgumentException("the tokenizer has no stop token " + stopToken());
        return id;
    }

    /** {@code "Image-1: <image>\nImage-2: <image>\n"}...: the model cards' multi-image question prefix. */
    public static String multiImagePrefix(int images) {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= images; i++) sb.append("Image-").append(i).append(": ").append(IMAGE_PLACEHOLDER).append('\n');
        return sb.toString();
    }

    /** {@code "Frame1: <image>\nFrame2: <image>\n"}...: the model cards' video question prefix (one home: VideoFrames). */
    public static String videoPrefix(int frames) {
        return org.tessera.vision.tiling.VideoFrames.promptPrefix(frames);
    }

    /** Python's {@code str.isspace()} characters (bidirectional class WS, B or S, or category Zs). */
    static boolean isPythonSpace(char c) {
        return (c >= '\t' && c <= '\r') || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 || c == 0x1680
                || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F
                || c == 0x3000;
    }

    /** Python's {@code str.strip()} with no argument (Java's {@link String#strip} keeps no-break spaces). */
    static String pythonStrip(String s) {
        int a = 0, b = s.length();
        while (a < b && isPythonSpace(s.charAt(a))) a++;
        while (b > a && isPythonSpace(s.charAt(b - 1))) b--;
        return s.substring(a, b);
    }

    /** All four templates. */
    public static List<ChatTemplate> all() {
        return new ArrayList<>(List.of(HERMES_2, INTERNLM2_CHAT, PHI3_CHAT, INTERNVL2_5));
    }

    @Override
    public String toString() {
        return "ChatTemplate[" + name + "]";
    }
}
