package org.tessera.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tessera.server.TestSupport.GOLDEN;
import static org.tessera.server.TestSupport.dataUrl;
import static org.tessera.server.TestSupport.png;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionContentPart;
import com.openai.models.chat.completions.ChatCompletionContentPartImage;
import com.openai.models.chat.completions.ChatCompletionContentPartText;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.CompletionUsage;
import com.openai.models.models.Model;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tessera.api.Answer;
import org.tessera.api.ImageInput;
import org.tessera.api.Request;
import org.tessera.api.Sampling;
import org.tessera.api.Tiling;
import org.tessera.api.VisionLanguageModel;
import org.tessera.model.text.Turn;

/**
 * The official OpenAI Java SDK as the client of a server on loopback serving the golden checkpoint; every answer is
 * compared with what the Java API gives for the same conversation.
 */
class OpenAiClientTest {
    static final String MODEL = "internvl-tiny-a";
    static TesseraServer server;
    static VisionLanguageModel vlm;
    static OpenAIClient client;

    @BeforeAll
    static void start() {
        server = TesseraServer.start(GOLDEN, false, ServerConfig.defaults(MODEL).withPort(0));
        vlm = VisionLanguageModel.load(GOLDEN);
        client = OpenAIOkHttpClient.builder().baseUrl("http://127.0.0.1:" + server.port() + "/v1").apiKey("unused")
                .maxRetries(0).timeout(Duration.ofSeconds(60)).build();
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
        vlm.close();
    }

    private static ChatCompletionContentPart image(byte[] png) {
        return ChatCompletionContentPart.ofImageUrl(ChatCompletionContentPartImage.builder()
                .imageUrl(ChatCompletionContentPartImage.ImageUrl.builder().url(dataUrl(png)).build()).build());
    }

    private static ChatCompletionContentPart text(String t) {
        return ChatCompletionContentPart.ofText(ChatCompletionContentPartText.builder().text(t).build());
    }

    private static String content(ChatCompletion c) {
        return c.choices().getFirst().message().content().orElseThrow();
    }

    @Test
    void plainAnswerEqualsTheJavaApi() {
        ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder().model(MODEL)
                .addUserMessage("What is the total?").maxCompletionTokens(16).temperature(0.0).build());
        Answer a = vlm.ask(Request.of("What is the total?").withSampling(Sampling.greedy(16)));
        assertFalse(a.text().isEmpty());
        assertEquals(a.text(), content(c));
        CompletionUsage u = c.usage().orElseThrow();
        assertEquals(a.promptTokens(), u.promptTokens());
        assertEquals(a.completionTokens(), u.completionTokens());
        assertEquals(a.promptTokens() + a.completionTokens(), u.totalTokens());
        assertEquals(a.finishReason() == Answer.FinishReason.LENGTH ? "length" : "stop", c.choices().getFirst().finishReason().asString());
        assertEquals(MODEL, c.model());
        assertTrue(c.id().startsWith("chatcmpl-"), c.id());
    }

    @Test
    void streamedImageAnswerJoinsToThePlainOne() {
        byte[] png = png(120, 70, 3);
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model(MODEL)
                .addUserMessageOfArrayOfContentParts(List.of(image(png), text("Describe the picture.")))
                .maxTokens(12).temperature(0.0)
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
                .putAdditionalBodyProperty("tessera", JsonValue.from(Map.of("max_tiles", 2)))
                .build();
        StringBuilder streamed = new StringBuilder();
        List<String> finish = new ArrayList<>();
        List<CompletionUsage> usage = new ArrayList<>();
        int chunks = 0;
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(params)) {
            for (ChatCompletionChunk ch : (Iterable<ChatCompletionChunk>) s.stream()::iterator) {
                chunks++;
                ch.usage().ifPresent(usage::add);
                for (ChatCompletionChunk.Choice choice : ch.choices()) {
                    choice.delta().content().ifPresent(streamed::append);
                    choice.finishReason().ifPresent(f -> finish.add(f.asString()));
                }
            }
        }
        ChatCompletion plain = client.chat().completions().create(params.toBuilder().streamOptions(java.util.Optional.empty()).build());
        Answer a = vlm.ask(Request.of("Describe the picture.").withImage(ImageInput.bytes(png, "p.png"))
                .withTiling(Tiling.internvl(2)).withSampling(Sampling.greedy(12)));
        assertEquals(a.text(), content(plain));
        assertEquals(a.text(), streamed.toString());
        assertTrue(chunks >= 4, "one chunk per piece of text: " + chunks);
        assertEquals(1, finish.size());
        assertEquals(1, usage.size());
        assertEquals(a.promptTokens(), usage.getFirst().promptTokens());
        assertEquals(a.completionTokens(), usage.getFirst().completionTokens());
        // tessera's own report: the tile budget of the extra field was used.
        var extras = plain._additionalProperties().get("tessera").convert(com.fasterxml.jackson.databind.JsonNode.class);
        assertEquals(a.tiles(), extras.path("images").path(0).path("tiles").asInt());
        assertTrue(a.tiles() <= 3);
    }

    @Test
    void conversationMapsOntoTheTemplate() {
        byte[] first = png(90, 90, 1), second = png(60, 120, 2);
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model(MODEL)
                .addSystemMessage("Be brief.")
                .addUserMessageOfArrayOfContentParts(List.of(image(first), text("What is this?")))
                .addAssistantMessage("A picture.")
                .addUserMessageOfArrayOfContentParts(List.of(text("And this one?"), image(second)))
                .maxCompletionTokens(10).temperature(0.0).build();
        ChatCompletion c = client.chat().completions().create(params);
        Request expected = Request.of("And this one?\nImage-2: <image>")
                .withImages(List.of(ImageInput.bytes(first, "a"), ImageInput.bytes(second, "b")))
                .withHistory(List.of(new Turn("Image-1: <image>\nWhat is this?", "A picture.")))
                .withSystemMessage("Be brief.").withSampling(Sampling.greedy(10));
        assertTrue(vlm.promptText(expected).startsWith("<|im_start|>system\nBe brief.<|im_end|><|im_start|>user\nImage-1: <img>"));
        Answer a = vlm.ask(expected);
        assertEquals(a.text(), content(c));
        assertEquals(a.promptTokens(), c.usage().orElseThrow().promptTokens());
    }

    @Test
    void seedRepeatsSampledAnswersAndStopCutsThem() {
        ChatCompletionCreateParams sampled = ChatCompletionCreateParams.builder().model(MODEL).addUserMessage("Tell me a story.")
                .maxCompletionTokens(16).temperature(0.9).topP(0.95).seed(7L).build();
        String one = content(client.chat().completions().create(sampled));
        assertEquals(one, content(client.chat().completions().create(sampled)));
        assertNotEquals(one, content(client.chat().completions().create(sampled.toBuilder().seed(8L).build())));

        ChatCompletionCreateParams greedy = ChatCompletionCreateParams.builder().model(MODEL).addUserMessage("Tell me a story.")
                .maxCompletionTokens(24).temperature(0.0).build();
        String full = content(client.chat().completions().create(greedy));
        String stop = full.substring(full.length() / 2, full.length() / 2 + 1);
        assertFalse(stop.isBlank(), "pick a visible character of: " + full);
        ChatCompletion cut = client.chat().completions().create(greedy.toBuilder().stop(stop).build());
        assertEquals(full.substring(0, full.indexOf(stop)).strip(), content(cut));
        assertEquals("stop", cut.choices().getFirst().finishReason().asString());
    }

    @Test
    void modelsAndErrorsThroughTheSdk() {
        List<String> ids = new ArrayList<>();
        for (Model m : client.models().list().autoPager()) ids.add(m.id());
        assertEquals(List.of(MODEL), ids);
        assertEquals(MODEL, client.models().retrieve(MODEL).id());
        NotFoundException nf = assertThrows(NotFoundException.class, () -> client.models().retrieve("gpt-4o"));
        assertEquals("model_not_found", nf.code().orElseThrow());

        ChatCompletionContentPart bad = ChatCompletionContentPart.ofImageUrl(ChatCompletionContentPartImage.builder()
                .imageUrl(ChatCompletionContentPartImage.ImageUrl.builder().url("data:image/png;base64,@@not base64@@").build()).build());
        BadRequestException e = assertThrows(BadRequestException.class, () -> client.chat().completions().create(
                ChatCompletionCreateParams.builder().model(MODEL).addUserMessageOfArrayOfContentParts(List.of(bad, text("Hi"))).build()));
        assertEquals(400, e.statusCode());
        assertEquals("invalid_base64", e.code().orElseThrow());
        assertEquals("messages[0].content[0].image_url.url", e.param().orElseThrow());
        assertEquals("invalid_request_error", e.type().orElseThrow());
    }
}
