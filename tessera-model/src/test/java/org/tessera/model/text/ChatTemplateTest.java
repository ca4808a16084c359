package org.tessera.model.text;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The prompt strings of section 5 of the architecture notes, written out literally. Small image layouts
 * ({@code tokensPerTile} 2 or 3) keep the expected strings readable; one test uses the real 256 per tile.
 */
class ChatTemplateTest {

    static final String SYS_V2 = "你是由上海人工智能实验室联合商汤科技开发的书生多模态大模型，英文名叫InternVL, 是一个有用无害的人工智能助手。";
    static final String SYS_V25 = "你是书生·万象，英文名是InternVL，是由上海人工智能实验室、清华大学及多家合作单位联合开发的多模态大语言模型。";
    static final String C = "<IMG_CONTEXT>";

    @Test
    void systemMessagesAndSeparators() {
        assertEquals(SYS_V2, ChatTemplate.HERMES_2.systemMessage());
        assertEquals(SYS_V2, ChatTemplate.INTERNLM2_CHAT.systemMessage());
        assertEquals(SYS_V2, ChatTemplate.PHI3_CHAT.systemMessage());
        assertEquals(SYS_V25, ChatTemplate.INTERNVL2_5.systemMessage());
        assertEquals("<|im_end|>", ChatTemplate.HERMES_2.sep());
        assertEquals("<|im_end|>\n", ChatTemplate.INTERNVL2_5.sep());
        assertEquals("<|im_end|>", ChatTemplate.INTERNVL2_5.stopToken());
        assertEquals("<|end|>", ChatTemplate.PHI3_CHAT.stopToken());
        assertSame(ChatTemplate.INTERNVL2_5, ChatTemplate.byName("internvl2_5"));
        assertSame(ChatTemplate.HERMES_2, ChatTemplate.byName("Hermes-2"));
        assertSame(ChatTemplate.INTERNLM2_CHAT, ChatTemplate.byName("internlm2-chat"));
        assertSame(ChatTemplate.PHI3_CHAT, ChatTemplate.byName("phi3-chat"));
        assertThrows(IllegalArgumentException.class, () -> ChatTemplate.byName("chatml"));
    }

    @Test
    void hermes2SingleTurnOneImage() {
        ChatTemplate.Query q = ChatTemplate.HERMES_2.query(null, "What is this?", List.of(new InternVLImageTokens(2, 2)));
        assertEquals("<|im_start|>system\n" + SYS_V2 + "<|im_end|><|im_start|>user\n<img>"
                + "<IMG_CONTEXT><IMG_CONTEXT><IMG_CONTEXT><IMG_CONTEXT></img>\nWhat is this?<|im_end|><|im_start|>assistant\n", q.text());
        assertEquals("<image>\nWhat is this?", q.question());
        // internlm2-chat is the same string (the tokenizer adds <s>).
        assertEquals(q.text(), ChatTemplate.INTERNLM2_CHAT.query(null, "What is this?", List.of(new InternVLImageTokens(2, 2))).text());
    }

    @Test
    void internvl25SingleTurnOneImageWith256TokensPerTile() {
        ChatTemplate.Query q = ChatTemplate.INTERNVL2_5.query(null, "Describe.", List.of(InternVLImageTokens.ofTiles(3)));
        assertEquals("<|im_start|>system\n" + SYS_V25 + "<|im_end|>\n<|im_start|>user\n<img>" + C.repeat(768)
                + "</img>\nDescribe.<|im_end|>\n<|im_start|>assistant\n", q.text());
    }

    @Test
    void textOnlyHasNoPlaceholder() {
        assertEquals("<|im_start|>system\n" + SYS_V25 + "<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n",
                ChatTemplate.INTERNVL2_5.query(null, "Hi", null).text());
        assertEquals("<|im_start|>system\n" + SYS_V25 + "<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n",
                ChatTemplate.INTERNVL2_5.query(null, "Hi", List.of()).text());
        // Without images a placeholder in the question stays literal text, as in Python.
        assertEquals("<|im_start|>system\n" + SYS_V2 + "<|im_end|><|im_start|>user\n<image>\nHi<|im_end|><|im_start|>assistant\n",
                ChatTemplate.HERMES_2.query(null, "<image>\nHi", null).text());
    }

    @Test
    void placeholderAlreadyInQuestionIsNotDuplicated() {
        ChatTemplate.Query q = ChatTemplate.HERMES_2.query(null, "Look: <image> what?", List.of(new InternVLImageTokens(1, 2)));
        assertEquals("<|im_start|>system\n" + SYS_V2 + "<|im_end|><|im_start|>user\nLook: <img><IMG_CONTEXT><IMG_CONTEXT></img> what?"
                + "<|im_end|><|im_start|>assistant\n", q.text());
    }

    @Test
    void multiTurnHermes2() {
        List<Turn> history = List.of(new Turn("<image>\nWhat is it?", "A cat."), new Turn("Color?", "Black."));
        ChatTemplate.Query q = ChatTemplate.HERMES_2.query(history, "Name?", List.of(new InternVLImageTokens(1, 3)));
        assertEquals("<|im_start|>system\n" + SYS_V2 + "<|im_end|>"
                + "<|im_start|>user\n<img><IMG_CONTEXT><IMG_CONTEXT><IMG_CONTEXT></img>\nWhat is it?<|im_end|>"
                + "<|im_start|>assistant\nA cat.<|im_end|>"
                + "<|im_start|>user\nColor?<|im_end|>"
                + "<|im_start|>assistant\nBlack.<|im_end|>"
                + "<|im_start|>user\nName?<|im_end|><|im_start|>assistant\n", q.text());
        assertEquals("Name?", q.question()); // with a history no placeholder is prepended
    }

    @Test
    void multiTurnInternvl25() {
        List<Turn> history = List.of(new Turn("Hello", "Hi! How can I help?"));
        String p = ChatTemplate.INTERNVL2_5.prompt(history, "Tell me a joke.");
        assertEquals("<|im_start|>system\n" + SYS_V25 + "<|im_end|>\n"
                + "<|im_start|>user\nHello<|im_end|>\n"
                + "<|im_start|>assistant\nHi! How can I help?<|im_end|>\n"
                + "<|im_start|>user\nTell me a joke.<|im_end|>\n<|im_start|>assistant\n", p);
    }

    @Test
    void emptyAnswerLeavesTheRoleOpen() {
        // MPT: "if message:" – an empty string is falsy, so only the role is written.
        String p = ChatTemplate.HERMES_2.prompt(List.of(new Turn("Q", "")), "Q2");
        assertEquals("<|im_start|>system\n" + SYS_V2 + "<|im_end|><|im_start|>user\nQ<|im_end|><|im_start|>assistant\n"
                + "<|im_start|>user\nQ2<|im_end|><|im_start|>assistant\n", p);
    }

    @Test
    void severalImagesFillPlaceholdersInTextOrder() {
        String question = ChatTemplate.multiImagePrefix(2) + "Compare them.";
        assertEquals("Image-1: <image>\nImage-2: <image>\nCompare them.", question);
        ChatTemplate.Query q = ChatTemplate.INTERNVL2_5.query(null, question,
                List.of(new InternVLImageTokens(1, 2), new InternVLImageTokens(1, 3)));
        assertEquals("<|im_start|>system\n" + SYS_V25 + "<|im_end|>\n<|im_start|>user\n"
                + "Image-1: <img><IMG_CONTEXT><IMG_CONTEXT></img>\n"
                + "Image-2: <img><IMG_CONTEXT><IMG_CONTEXT><IMG_CONTEXT></img>\n"
                + "Compare them.<|im_end|>\n<|im_start|>assistant\n", q.text());
    }

    @Test
    void videoFrames() {
        String question = ChatTemplate.videoPrefix(3) + "What happens?";
        assertEquals("Frame1: <image>\nFrame2: <image>\nFrame3: <image>\nWhat happens?", question);
        ChatTemplate.Query q = ChatTemplate.HERMES_2.query(null, question, List.of(
                new InternVLImageTokens(1, 1), new InternVLImageTokens(1, 1), new InternVLImageTokens(1, 1)));
        assertEquals("<|im_start|>system\n" + SYS_V2 + "<|im_end|><|im_start|>user\n"
                + "Frame1: <img><IMG_CONTEXT></img>\nFrame2: <img><IMG_CONTEXT></img>\nFrame3: <img><IMG_CONTEXT></img>\n"
                + "What happens?<|im_end|><|im_start|>assistant\n", q.text());
    }

    @Test
    void imagesOfAFollowUpTurnFillTheHistoryPlaceholderFirst() {
        // Second chat() call with the same pixel_values: history holds the auto-prefixed question of turn one.
        ChatTemplate.Query first = ChatTemplate.INTERNVL2_5.query(null, "What is it?", List.of(new InternVLImageTokens(1, 1)));
        List<Turn> history = List.of(new Turn(first.question(), "A dog."));
        ChatTemplate.Query second = ChatTemplate.INTERNVL2_5.query(history, "And its color?", List.of(new InternVLImageTokens(1, 1)));
        assertEquals("<|im_start|>system\n" + SYS_V25 + "<|im_end|>\n"
                + "<|im_start|>user\n<img><IMG_CONTEXT></img>\nWhat is it?<|im_end|>\n"
                + "<|im_start|>assistant\nA dog.<|im_end|>\n"
                + "<|im_start|>user\nAnd its color?<|im_end|>\n<|im_start|>assistant\n", second.text());
    }

    @Test
    void phi3Template() {
        ChatTemplate.Query q = ChatTemplate.PHI3_CHAT.query(null, "Hi", List.of(new InternVLImageTokens(1, 1)));
        assertEquals("<|system|>\n" + SYS_V2 + "<|end|><|user|>\n<img><IMG_CONTEXT></img>\nHi<|end|><|assistant|>\n", q.text());
    }

    @Test
    void customSystemMessage() {
        ChatTemplate t = ChatTemplate.INTERNVL2_5.withSystemMessage("You are helpful.");
        assertEquals("<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n",
                t.prompt(null, "Hi"));
        assertEquals("internvl2_5", t.name());
    }

    @Test
    void moreImagesThanPlaceholdersFails() {
        // An explicit empty history is not None in Python: nothing is prepended, and the image has nowhere to go.
        assertThrows(IllegalArgumentException.class,
                () -> ChatTemplate.HERMES_2.query(List.of(), "Hi", List.of(new InternVLImageTokens(1, 1))));
        assertThrows(IllegalArgumentException.class, () -> ChatTemplate.HERMES_2.query(null, "<image> only one",
                List.of(new InternVLImageTokens(1, 1), new InternVLImageTokens(1, 1))));
    }

    @Test
    void responseIsCutAtTheStopTokenAndStripped() {
        assertEquals("A cat.", ChatTemplate.INTERNVL2_5.response("  A cat.\n<|im_end|>\nrest"));
        assertEquals("A cat.", ChatTemplate.HERMES_2.response("A cat."));
        assertEquals("", ChatTemplate.HERMES_2.response("<|im_end|>A cat."));
        assertEquals("x", ChatTemplate.PHI3_CHAT.response("\u00A0x\u3000<|end|>"));   // Python strips NBSP and U+3000
        assertEquals("x\u200By", ChatTemplate.PHI3_CHAT.response("\u0085x\u200By\u001F")); // ZWSP is not whitespace
    }

    @Test
    void queryTokenizesWithSpecialTokensAsSingleIds() {
        // InternVL2_5-1B's tokenizer (Qwen2.5 + InternVL's nine tokens).
        ByteLevelBpeTokenizer tok = Fixtures.variant("qwen25_internvl");
        ChatTemplate.Query q = ChatTemplate.INTERNVL2_5.query(null, "Describe the image.", List.of(InternVLImageTokens.ofTiles(2)));
        int[] ids = tok.encode(q.text(), true);
        int ctx = tok.tokenId("<IMG_CONTEXT>");
        assertEquals(151667, ctx);
        int n = 0, first = -1, last = -1;
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == ctx) {
                n++;
                if (first < 0) first = i;
                last = i;
            }
        }
        assertEquals(512, n);
        assertEquals(last - first + 1, n, "the context tokens are contiguous");
        assertEquals(151665, ids[first - 1]); // <img>
        assertEquals(151666, ids[last + 1]);  // </img>
        assertEquals(151644, ids[0]);         // <|im_start|>, no BOS for Qwen
        assertEquals(151645, ChatTemplate.INTERNVL2_5.stopTokenId(tok));
        // The answer side: decode skipping special tokens, cut at the stop token, strip.
        int[] generated = tok.encode(" It is a cat.<|im_end|>");
        assertEquals("It is a cat.", ChatTemplate.INTERNVL2_5.response(tok, generated));
    }
}
