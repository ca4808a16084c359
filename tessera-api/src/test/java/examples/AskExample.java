package examples;

import java.nio.file.Path;
import org.tessera.api.Answer;
import org.tessera.api.ChatSession;
import org.tessera.api.GenerationListener;
import org.tessera.api.ImageInput;
import org.tessera.api.Request;
import org.tessera.api.Tiling;
import org.tessera.api.VisionLanguageModel;

public class AskExample {
    public static void main(String[] args) {
        Path modelDir = Path.of(args[0]), image = Path.of(args[1]);
        // Load once (weights are memory-mapped); share the model between threads.
        try (VisionLanguageModel vlm = VisionLanguageModel.load(modelDir)) {
            // One question, streamed as it is generated, with at most 6 tiles.
            Request request = Request.of("What is the total?", image).withTiling(Tiling.internvl(6)).withMaxNewTokens(64);
            Answer answer = vlm.ask(request, GenerationListener.text(System.out::print));
            System.out.printf("%n%d tiles, %d prompt tokens, %.1f tokens/s%n",
                    answer.tiles(), answer.promptTokens(), answer.decodeTokensPerSecond());

            // A conversation: the session keeps the history, the images and the KV cache.
            ChatSession chat = vlm.newChat();
            chat.addImage(ImageInput.file(image));
            System.out.println(chat.send("What kind of document is this?").text());
            System.out.println(chat.send("Who issued it?").text());
        }
    }
}
