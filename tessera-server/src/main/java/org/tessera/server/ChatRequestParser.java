package org.tessera.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.tessera.api.ImageInput;
import org.tessera.api.Request;
import org.tessera.api.Sampling;
import org.tessera.api.Tiling;
import org.tessera.model.text.ChatTemplate;
import org.tessera.model.text.Turn;
import org.tessera.vision.image.ImageInfo;
import org.tessera.vision.image.ImageLoadException;
import org.tessera.vision.image.ImageLoadOptions;
import org.tessera.vision.image.ImageLoader;
import org.tessera.vision.tiling.TileTags;

/**
 * Turns an OpenAI chat-completions body into a tessera {@link Request}, refusing what it cannot honour with the
 * status and error OpenAI would send.
 *
 * <p>The conversation maps onto the checkpoint's template as InternVL's {@code chat()} sees one: system (and
 * developer) messages replace the template's system message; each user message with the assistant message after it
 * is a history turn; the last message must be the user's question. Consecutive messages of one role are joined with
 * a newline. In a user message the parts are joined with newlines, each image part becoming an {@code <image>}
 * placeholder where it occurs ({@code Image-N: <image>} when the conversation has several images, as the model cards
 * number them), so {@code [image, text]} is exactly the model card's {@code "<image>\n" + question}.
 *
 * <p>Images come as {@code data:} URLs (base64), or, when the server allows a folder, as paths or {@code file:} URLs
 * inside it. Each image's header is read here to check its size, so a bad or oversized image is refused before the
 * request waits for a generation slot.
 */
final class ChatRequestParser {

    /** What a request asks for. */
    record Parsed(Request request, boolean stream, boolean includeUsage, int images) {}

    private final ServerConfig cfg;
    private final List<String> extraStops;
    private final Path root;

    /**
     * @param extraStops texts the template cuts answers at, added to every request's stop strings
     */
    ChatRequestParser(ServerConfig cfg, List<String> extraStops) {
        this.cfg = cfg;
        this.extraStops = List.copyOf(extraStops);
        Path r = null;
        if (cfg.allowLocalFiles() != null) {
            try {
                r = cfg.allowLocalFiles().toRealPath();
            } catch (IOException e) {
                throw new IllegalArgumentException(cfg.allowLocalFiles() + ": the folder for local files does not exist");
            }
            if (!Files.isDirectory(r)) throw new IllegalArgumentException(cfg.allowLocalFiles() + ": the folder for local files is not a folder");
        }
        this.root = r;
    }

    /** One message part: text, or an image already read and checked. */
    private sealed interface Part {}

    private record Text(String text) implements Part {}

    private record Image(ImageInput input) implements Part {}

    private record Message(String role, List<Part> parts) {}

    Parsed parse(JsonNode body) {
        if (body == null || !body.isObject()) throw ApiError.invalid(null, "the request body must be a JSON object");
        // Options the server does not implement are refused rather than silently ignored.
        JsonNode n = body.get("n");
        if (n != null && !n.isNull() && !(n.isIntegralNumber() && n.asLong() == 1)) {
            throw ApiError.invalid("n", "only n = 1 is supported");
        }
        JsonNode tools = body.get("tools");
        if (tools != null && !tools.isNull() && !(tools.isArray() && tools.isEmpty())) {
            throw ApiError.invalid("tools", "tools (function calling) are not supported");
        }
        JsonNode functions = body.get("functions");
        if (functions != null && !functions.isNull() && !(functions.isArray() && functions.isEmpty())) {
            throw ApiError.invalid("functions", "functions are not supported");
        }
        if (bool(body, "logprobs", false)) throw ApiError.invalid("logprobs", "logprobs are not supported");
        JsonNode rf = body.get("response_format");
        if (rf != null && !rf.isNull()) {
            if (!rf.isObject() || !"text".equals(rf.path("type").asText(null))) {
                throw ApiError.invalid("response_format", "only response_format {\"type\": \"text\"} is supported");
            }
        }
        JsonNode model = body.get("model");
        if (model != null && !model.isNull() && !model.isTextual()) throw ApiError.invalid("model", "model must be a string");

        boolean stream = bool(body, "stream", false);
        boolean includeUsage = false;
        JsonNode so = body.get("stream_options");
        if (so != null && !so.isNull()) {
            if (!so.isObject()) throw ApiError.invalid("stream_options", "stream_options must be an object");
            includeUsage = bool(so, "include_usage", false, "stream_options.include_usage");
        }

        List<Message> messages = messages(body);
        Sampling sampling = sampling(body);
        Tiling tiling = Tiling.MODEL_DEFAULT;
        JsonNode extra = body.get("tessera");
        if (extra != null && !extra.isNull()) {
            if (!extra.isObject()) throw ApiError.invalid("tessera", "tessera must be an object");
            tiling = tiling(extra);
            sampling = extraSampling(extra, sampling);
        }

        // The conversation: system text, history turns, the final question; images numbered when several.
        int images = 0;
        for (Message m : messages) for (Part p : m.parts) if (p instanceof Image) images++;
        List<ImageInput> inputs = new ArrayList<>();
        List<String> system = new ArrayList<>();
        List<Turn> history = new ArrayList<>();
        String user = null;
        for (int i = 0; i < messages.size(); i++) {
            Message m = messages.get(i);
            String text = render(m.parts, images, inputs);
            switch (m.role) {
                case "system", "developer" -> system.add(text);
                case "user" -> user = user == null ? text : join(user, text);
                case "assistant" -> {
                    if (user != null) {
                        history.add(new Turn(user, text));
                        user = null;
                    } else if (!history.isEmpty()) {
                        Turn last = history.removeLast();
                        history.add(new Turn(last.user(), join(last.assistant(), text)));
                    } else {
                        throw ApiError.invalid("messages[" + i + "]", "an assistant message must follow a user message");
                    }
                }
                default -> throw new IllegalStateException(m.role);
            }
        }
        if (user == null) throw ApiError.invalid("messages", "the last message must be a user message (the question to answer)");
        Request r = new Request(user, inputs, false, tiling, sampling, history, system.isEmpty() ? null : String.join("\n", system));
        return new Parsed(r, stream, includeUsage, images);
    }

    /** Two messages of one role in a row: joined by a newline (an empty one adds nothing). */
    private static String join(String a, String b) {
        return a.isEmpty() ? b : b.isEmpty() ? a : a + "\n" + b;
    }

    private static String render(List<Part> parts, int imagesInConversation, List<ImageInput> inputs) {
        StringBuilder sb = new StringBuilder();
        for (Part p : parts) {
            if (!sb.isEmpty()) sb.append('\n');
            switch (p) {
                case Text t -> sb.append(t.text);
                case Image img -> {
                    inputs.add(img.input);
                    if (imagesInConversation > 1) sb.append("Image-").append(inputs.size()).append(": ");
                    sb.append(ChatTemplate.IMAGE_PLACEHOLDER);
                }
            }
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------------------------------------ messages

    private List<Message> messages(JsonNode body) {
        JsonNode ms = body.get("messages");
        if (ms == null || ms.isNull()) throw ApiError.invalid("messages", "missing required field 'messages'");
        if (!ms.isArray()) throw ApiError.invalid("messages", "messages must be an array");
        if (ms.isEmpty()) throw ApiError.invalid("messages", "messages must not be empty");
        List<Message> out = new ArrayList<>();
        int images = 0;
        for (int i = 0; i < ms.size(); i++) {
            String at = "messages[" + i + "]";
            JsonNode m = ms.get(i);
            if (!m.isObject()) throw ApiError.invalid(at, at + " must be an object");
            JsonNode roleNode = m.get("role");
            if (roleNode == null || roleNode.isNull()) throw ApiError.invalid(at + ".role", "missing required field '" + at + ".role'");
            if (!roleNode.isTextual()) throw ApiError.invalid(at + ".role", at + ".role must be a string");
            String role = roleNode.asText();
            switch (role) {
                case "system", "developer", "user", "assistant" -> { }
                case "tool", "function" -> throw ApiError.invalid(at + ".role", "'" + role + "' messages are not supported (no tool calling)");
                default -> throw ApiError.invalid(at + ".role", "unknown role '" + role + "' (expected system, developer, user or assistant)");
            }
            JsonNode content = m.get("content");
            List<Part> parts = new ArrayList<>();
            if (content == null || content.isNull()) {
                if (!role.equals("assistant")) throw ApiError.invalid(at + ".content", "missing required field '" + at + ".content'");
                if (m.hasNonNull("tool_calls")) throw ApiError.invalid(at + ".tool_calls", "tool calls are not supported");
                parts.add(new Text(""));
            } else if (content.isTextual()) {
                parts.add(new Text(content.asText()));
            } else if (content.isArray()) {
                for (int j = 0; j < content.size(); j++) {
                    String pat = at + ".content[" + j + "]";
                    JsonNode p = content.get(j);
                    if (!p.isObject()) throw ApiError.invalid(pat, pat + " must be an object");
                    String type = p.path("type").asText(null);
                    if (type == null) throw ApiError.invalid(pat + ".type", "missing required field '" + pat + ".type'");
                    switch (type) {
                        case "text" -> {
                            JsonNode t = p.get("text");
                            if (t == null || !t.isTextual()) throw ApiError.invalid(pat + ".text", pat + ".text must be a string");
                            parts.add(new Text(t.asText()));
                        }
                        case "image_url" -> {
                            if (!role.equals("user")) throw ApiError.invalid(pat, "images are only accepted in user messages");
                            images++;
                            if (images > cfg.maxImages()) {
                                throw ApiError.tooLarge("too_many_images", pat, "more than " + cfg.maxImages() + " images in one request");
                            }
                            parts.add(new Image(image(p.get("image_url"), pat + ".image_url", images)));
                        }
                        case "refusal" -> { }
                        default -> throw ApiError.invalid(pat + ".type", "unsupported content part type '" + type + "' (expected text or image_url)");
                    }
                }
            } else {
                throw ApiError.invalid(at + ".content", at + ".content must be a string or an array of content parts");
            }
            out.add(new Message(role, parts));
        }
        return out;
    }

    private ImageInput image(JsonNode node, String at, int number) {
        String url;
        if (node != null && node.isTextual()) {
            url = node.asText();
        } else if (node != null && node.isObject() && node.path("url").isTextual()) {
            url = node.get("url").asText();
            at = at + ".url";
        } else {
            throw ApiError.invalid(at + ".url", "missing required field '" + at + ".url'");
        }
        String name = "image " + number;
        byte[] data;
        String lower = url.length() > 16 ? url.substring(0, 16).toLowerCase(Locale.ROOT) : url.toLowerCase(Locale.ROOT);
        if (lower.startsWith("data:")) {
            data = dataUrl(url, at, name);
        } else if (lower.startsWith("http://") || lower.startsWith("https://")) {
            throw ApiError.invalid("invalid_image_url", at, "the server does not fetch remote images; send the image as a data: URL (base64)");
        } else {
            Path p = localFile(url, at);
            name = p.getFileName() == null ? name : p.getFileName().toString();
            data = readLocal(p, at);
        }
        ImageInfo info;
        try {
            info = ImageLoader.probe(data, name, ImageLoadOptions.defaults());
        } catch (ImageLoadException e) {
            throw ApiError.invalid("invalid_image", at, "unreadable image: " + e.getMessage());
        }
        if (info.pixels() > cfg.maxImagePixels()) {
            throw ApiError.tooLarge("image_too_large", at, name + " is " + info.width() + "x" + info.height() + " = " + info.pixels()
                    + " pixels, more than the limit of " + cfg.maxImagePixels());
        }
        return ImageInput.bytes(data, name);
    }

    private static byte[] dataUrl(String url, String at, String name) {
        int comma = url.indexOf(',');
        if (comma < 0) throw ApiError.invalid("invalid_image_url", at, "malformed data: URL (no comma)");
        String meta = url.substring(5, comma).toLowerCase(Locale.ROOT);
        if (!meta.endsWith(";base64")) throw ApiError.invalid("invalid_image_url", at, "data: URLs must be base64-encoded (data:image/png;base64,...)");
        String b64 = url.substring(comma + 1);
        StringBuilder clean = null;
        for (int i = 0; i < b64.length(); i++) { // line breaks and spaces some encoders insert are allowed
            char c = b64.charAt(i);
            if (c == '\n' || c == '\r' || c == ' ' || c == '\t') {
                if (clean == null) clean = new StringBuilder(b64.length()).append(b64, 0, i);
            } else if (clean != null) {
                clean.append(c);
            }
        }
        try {
            byte[] data = Base64.getDecoder().decode(clean == null ? b64 : clean.toString());
            if (data.length == 0) throw ApiError.invalid("invalid_image", at, name + ": the data: URL holds no data");
            return data;
        } catch (IllegalArgumentException e) {
            throw ApiError.invalid("invalid_base64", at, "the data: URL is not valid base64 (" + e.getMessage() + ")");
        }
    }

    /** A path or file: URL inside the allowed folder, symbolic links resolved. */
    private Path localFile(String url, String at) {
        if (root == null) {
            throw ApiError.invalid("invalid_image_url", at, "images must be data: URLs (local files are only read when the server"
                    + " is started with --allow-local-files DIR)");
        }
        Path p;
        try {
            if (url.regionMatches(true, 0, "file:", 0, 5)) {
                p = Path.of(new URI(url));
            } else if (url.matches("^[A-Za-z][A-Za-z0-9+.-]*:.*")) {
                throw ApiError.invalid("invalid_image_url", at, "unsupported URL scheme in '" + abbreviate(url) + "' (expected data:, file: or a path)");
            } else {
                p = Path.of(url);
            }
        } catch (URISyntaxException | IllegalArgumentException e) { // InvalidPathException included
            throw ApiError.invalid("invalid_image_url", at, "malformed file URL or path '" + abbreviate(url) + "'");
        }
        Path abs = root.resolve(p).normalize();
        if (!abs.startsWith(root)) throw outside(at, url);
        Path real;
        try {
            real = abs.toRealPath();
        } catch (NoSuchFileException e) {
            throw ApiError.invalid("invalid_image", at, "no such file: " + abbreviate(url));
        } catch (IOException e) {
            throw ApiError.invalid("invalid_image", at, "cannot read " + abbreviate(url));
        }
        if (!real.startsWith(root)) throw outside(at, url);
        if (!Files.isRegularFile(real)) throw ApiError.invalid("invalid_image", at, abbreviate(url) + " is not a file");
        return real;
    }

    private static ApiError outside(String at, String url) {
        return new ApiError(403, "permission_error", "file_not_allowed", at, abbreviate(url) + " is outside the folder the server reads images from");
    }

    private byte[] readLocal(Path p, String at) {
        try {
            long size = Files.size(p);
            if (size > cfg.maxRequestBytes()) {
                throw ApiError.tooLarge("image_too_large", at, p.getFileName() + " is " + size + " bytes, more than the limit of " + cfg.maxRequestBytes());
            }
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw ApiError.invalid("invalid_image", at, "cannot read " + p.getFileName());
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    // ------------------------------------------------------------------------------------------------ sampling

    private Sampling sampling(JsonNode body) {
        Integer maxTokens = integer(body, "max_completion_tokens", 1, Integer.MAX_VALUE);
        if (maxTokens == null) maxTokens = integer(body, "max_tokens", 1, Integer.MAX_VALUE);
        Double temperature = number(body, "temperature", 0, 2, true);
        Double topP = number(body, "top_p", 0, 1, false);
        JsonNode seedNode = body.get("seed");
        Long seed = null;
        if (seedNode != null && !seedNode.isNull()) {
            if (!seedNode.isIntegralNumber() || !seedNode.canConvertToLong()) throw ApiError.invalid("seed", "seed must be an integer");
            seed = seedNode.asLong();
        }
        // Without a seed each request draws its own, so sampled answers differ as OpenAI's do.
        if (seed == null) seed = ThreadLocalRandom.current().nextLong();
        for (String ignored : List.of("presence_penalty", "frequency_penalty")) number(body, ignored, -2, 2, true);
        List<String> stop = new ArrayList<>(stops(body.get("stop")));
        for (String s : extraStops) if (!stop.contains(s)) stop.add(s);
        return new Sampling(maxTokens, temperature, topP, null, null, seed, stop.isEmpty() ? null : stop);
    }

    private static List<String> stops(JsonNode stop) {
        if (stop == null || stop.isNull()) return List.of();
        List<String> out = new ArrayList<>();
        if (stop.isTextual()) {
            out.add(stop.asText());
        } else if (stop.isArray()) {
            if (stop.size() > 4) throw ApiError.invalid("stop", "at most 4 stop sequences");
            for (JsonNode s : stop) {
                if (!s.isTextual()) throw ApiError.invalid("stop", "stop must be a string or an array of strings");
                out.add(s.asText());
            }
        } else {
            throw ApiError.invalid("stop", "stop must be a string or an array of strings");
        }
        for (String s : out) if (s.isEmpty()) throw ApiError.invalid("stop", "stop sequences must not be empty");
        return out;
    }

    private static Tiling tiling(JsonNode x) {
        for (Map.Entry<String, JsonNode> e : x.properties()) {
            if (!List.of("strategy", "max_tiles", "min_tiles", "thumbnail", "tile_tags", "top_k", "repetition_penalty").contains(e.getKey())) {
                throw ApiError.invalid("tessera." + e.getKey(), "unknown tessera option '" + e.getKey()
                        + "' (known: strategy, max_tiles, min_tiles, thumbnail, tile_tags, top_k, repetition_penalty)");
            }
        }
        try {
            Tiling t = Tiling.MODEL_DEFAULT;
            JsonNode s = x.get("strategy");
            if (s != null && !s.isNull()) {
                if (!s.isTextual()) throw ApiError.invalid("tessera.strategy", "tessera.strategy must be a string");
                t = t.withStrategy(s.asText());
            }
            Integer max = integer(x, "max_tiles", 1, Integer.MAX_VALUE, "tessera.max_tiles");
            if (max != null) t = t.withMaxTiles(max);
            Integer min = integer(x, "min_tiles", 1, Integer.MAX_VALUE, "tessera.min_tiles");
            if (min != null) t = t.withMinTiles(min);
            JsonNode th = x.get("thumbnail");
            if (th != null && !th.isNull()) t = t.withThumbnail(bool(x, "thumbnail", false, "tessera.thumbnail"));
            JsonNode tags = x.get("tile_tags");
            if (tags != null && !tags.isNull()) {
                if (!tags.isTextual()) throw ApiError.invalid("tessera.tile_tags", "tessera.tile_tags must be a string");
                t = t.withTags(TileTags.parse(tags.asText()));
            }
            return t;
        } catch (IllegalArgumentException e) {
            throw ApiError.invalid("tessera", e.getMessage());
        }
    }

    private static Sampling extraSampling(JsonNode x, Sampling s) {
        Integer topK = integer(x, "top_k", 0, Integer.MAX_VALUE, "tessera.top_k");
        if (topK != null) s = s.withTopK(topK);
        JsonNode rp = x.get("repetition_penalty");
        if (rp != null && !rp.isNull()) {
            if (!rp.isNumber() || !(rp.asDouble() > 0) || !Double.isFinite(rp.asDouble())) {
                throw ApiError.invalid("tessera.repetition_penalty", "tessera.repetition_penalty must be a positive number (1 = off)");
            }
            s = s.withRepetitionPenalty(rp.asDouble());
        }
        return s;
    }

    // ------------------------------------------------------------------------------------------------ fields

    private static boolean bool(JsonNode o, String field, boolean dflt) {
        return bool(o, field, dflt, field);
    }

    private static boolean bool(JsonNode o, String field, boolean dflt, String param) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) return dflt;
        if (!v.isBoolean()) throw ApiError.invalid(param, param + " must be true or false");
        return v.asBoolean();
    }

    private static Integer integer(JsonNode o, String field, long min, long max) {
        return integer(o, field, min, max, field);
    }

    private static Integer integer(JsonNode o, String field, long min, long max, String param) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < min || v.asLong() > max) {
            throw ApiError.invalid(param, param + " must be an integer" + (max == Integer.MAX_VALUE ? " of at least " + min : " from " + min + " to " + max));
        }
        return (int) v.asLong();
    }

    private static Double number(JsonNode o, String field, double min, double max, boolean minIncluded) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) return null;
        double d = v.asDouble();
        if (!v.isNumber() || !Double.isFinite(d) || d > max || d < min || (!minIncluded && d == min)) {
            throw ApiError.invalid(field, field + " must be a number " + (minIncluded ? "from " + min : "above " + min) + " to " + max);
        }
        return d;
    }
}
