package org.tessera.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tessera.server.TestSupport.png;

import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tessera.api.ImageInput;
import org.tessera.api.Request;
import org.tessera.model.text.Turn;
import org.tessera.vision.tiling.TileTags;

/** How an OpenAI body becomes a tessera request: the conversation, the images' places, the sampling options. */
class ChatRequestParserTest {
    static final ChatRequestParser PARSER = new ChatRequestParser(ServerConfig.defaults("m"), List.of("<|im_end|>"));
    static final String PNG = TestSupport.dataUrl(png(20, 10, 0));

    private static ChatRequestParser.Parsed parse(String json) {
        return PARSER.parse(TestSupport.parse(json.replace('\'', '"').replace("PNG", PNG)));
    }

    @Test
    void aPlainQuestion() {
        ChatRequestParser.Parsed p = parse("{'messages': [{'role': 'user', 'content': 'Hi there'}]}");
        Request r = p.request();
        assertEquals("Hi there", r.question());
        assertEquals(List.of(), r.history());
        assertNull(r.systemMessage());
        assertEquals(List.of(), r.images());
        assertFalse(p.stream());
        // The template's separator always ends an answer; no seed given: one is drawn.
        assertEquals(List.of("<|im_end|>"), r.sampling().stop());
        assertNotNull(r.sampling().seed());
        assertNull(r.sampling().maxNewTokens());
        assertNull(r.sampling().temperature());
    }

    @Test
    void imagesBecomePlaceholdersWhereTheirPartsAre() {
        Request one = parse("{'messages': [{'role': 'user', 'content': [{'type': 'image_url', 'image_url': {'url': 'PNG'}},"
                + " {'type': 'text', 'text': 'What is it?'}]}]}").request();
        assertEquals("<image>\nWhat is it?", one.question());
        assertEquals(1, one.images().size());
        ImageInput.Bytes b = (ImageInput.Bytes) one.images().getFirst();
        assertEquals("image 1", b.name());

        Request two = parse("{'messages': [{'role': 'user', 'content': [{'type': 'text', 'text': 'Compare'},"
                + " {'type': 'image_url', 'image_url': 'PNG'}, {'type': 'image_url', 'image_url': {'url': 'PNG', 'detail': 'high'}}]}]}").request();
        assertEquals("Compare\nImage-1: <image>\nImage-2: <image>", two.question());
        assertEquals(2, two.images().size());
    }

    @Test
    void aConversationBecomesHistoryAndASystemMessage() {
        Request r = parse("{'messages': ["
                + "{'role': 'system', 'content': 'Be brief.'},"
                + "{'role': 'developer', 'content': [{'type': 'text', 'text': 'Answer in English.'}]},"
                + "{'role': 'user', 'content': [{'type': 'image_url', 'image_url': {'url': 'PNG'}}, {'type': 'text', 'text': 'What?'}]},"
                + "{'role': 'assistant', 'content': 'A cat.'},"
                + "{'role': 'assistant', 'content': null},"
                + "{'role': 'user', 'content': 'Sure?'},"
                + "{'role': 'user', 'content': [{'type': 'text', 'text': 'And'}, {'type': 'image_url', 'image_url': {'url': 'PNG'}}]}"
                + "]}").request();
        assertEquals("Be brief.\nAnswer in English.", r.systemMessage());
        assertEquals(List.of(new Turn("Image-1: <image>\nWhat?", "A cat.")), r.history());
        assertEquals("Sure?\nAnd\nImage-2: <image>", r.question());
        assertEquals(2, r.images().size());
    }

    @Test
    void samplingAndTessera() {
        ChatRequestParser.Parsed p = parse("{'messages': [{'role': 'user', 'content': 'x'}], 'max_tokens': 9, 'max_completion_tokens': 7,"
                + " 'temperature': 0.5, 'top_p': 0.9, 'seed': 42, 'stop': ['END', '<|im_end|>'], 'stream': true,"
                + " 'stream_options': {'include_usage': true}, 'presence_penalty': 0, 'n': 1,"
                + " 'tessera': {'strategy': 'catty', 'max_tiles': 4, 'min_tiles': 2, 'thumbnail': false, 'tile_tags': '1d',"
                + " 'top_k': 20, 'repetition_penalty': 1.1}}");
        var s = p.request().sampling();
        assertEquals(7, s.maxNewTokens());
        assertEquals(0.5, s.temperature());
        assertEquals(0.9, s.topP());
        assertEquals(42L, s.seed());
        assertEquals(List.of("END", "<|im_end|>"), s.stop());
        assertEquals(20, s.topK());
        assertEquals(1.1, s.repetitionPenalty());
        var t = p.request().tiling();
        assertEquals("catty", t.strategy());
        assertEquals(4, t.maxTiles());
        assertEquals(2, t.minTiles());
        assertEquals(false, t.thumbnail());
        assertEquals(TileTags.ONE_D, t.tags());
        assertTrue(p.stream() && p.includeUsage());
    }

    @Test
    void base64WithLineBreaksIsAccepted() {
        String b64 = Base64.getMimeEncoder().encodeToString(png(30, 30, 1));
        assertTrue(b64.contains("\r\n"));
        var body = TestSupport.obj();
        var parts = body.putArray("messages").addObject().put("role", "user").putArray("content");
        parts.addObject().put("type", "image_url").putObject("image_url").put("url", "data:image/png;base64," + b64);
        assertEquals(1, PARSER.parse(body).request().images().size());
    }

    @Test
    void localFilesNeedTheServersPermission() {
        ApiError e = assertThrows(ApiError.class, () -> parse(
                "{'messages': [{'role': 'user', 'content': [{'type': 'image_url', 'image_url': {'url': '/etc/hosts'}}]}]}"));
        assertEquals(400, e.status);
        assertEquals("invalid_image_url", e.code);
        assertTrue(e.getMessage().contains("--allow-local-files"), e.getMessage());
        assertEquals("{\"error\":{\"message\":\"" + e.getMessage() + "\",\"type\":\"invalid_request_error\",\"param\":"
                + "\"messages[0].content[0].image_url.url\",\"code\":\"invalid_image_url\"}}", e.body().toString());
    }

    @Test
    void trimmerPassesOnWhatTheStrippedAnswerKeeps() {
        Trimmer t = new Trimmer();
        StringBuilder sb = new StringBuilder();
        for (String piece : new String[] {" \n", " Hello", " ", "\u00a0", "world", "  ", "\n"}) sb.append(t.push(piece));
        assertEquals("Hello \u00a0world", sb.toString());
    }
}
