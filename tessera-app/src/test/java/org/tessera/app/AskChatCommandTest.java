package org.tessera.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.api.ImageInput;
import org.tessera.api.Request;
import org.tessera.api.Sampling;
import org.tessera.api.VisionLanguageModel;
import picocli.CommandLine;

/** {@code tessera ask} and {@code tessera chat} on the golden tiny checkpoint: same answers as the API, clear errors. */
class AskChatCommandTest {
    static final Path GOLDEN = ForwardCommandTest.GOLDEN;
    static final Path RECEIPT = Path.of("../examples/receipt.png");

    @TempDir
    Path dir;

    static String apiAnswer(Request r) {
        try (VisionLanguageModel vlm = VisionLanguageModel.load(GOLDEN)) {
            return vlm.ask(r).text();
        }
    }

    @Test
    void askStreamsTheApiAnswer() {
        var r = ForwardCommandTest.run("ask", "--model", GOLDEN.toString(), "--image", RECEIPT.toString(), "--max-new-tokens", "12",
                "What is the total?");
        assertEquals(0, r.code(), r.err());
        String want = apiAnswer(Request.of("What is the total?", RECEIPT).withSampling(Sampling.greedy(12)));
        assertEquals(want, r.out().strip());
    }

    @Test
    void askJsonHasAnswerTokensTimingsAndPlans() throws Exception {
        var r = ForwardCommandTest.run("ask", "--model", GOLDEN.toString(), "--image", RECEIPT.toString(), "--image", RECEIPT.toString(),
                "--max-tiles", "2", "--max-new-tokens", "5", "--json", "Compare.");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(2, j.get("plans").size());
        assertEquals(j.get("tiles").asInt(), j.get("plans").get(0).get("tiles").asInt() + j.get("plans").get(1).get("tiles").asInt());
        assertTrue(j.get("prompt_tokens").asInt() > 2 * 3 * 4);
        assertTrue(j.get("completion_tokens").asInt() >= 1 && j.get("completion_tokens").asInt() <= 5);
        assertTrue(j.get("timings").get("vision_s").asDouble() > 0);
        assertEquals(apiAnswer(Request.of("Compare.").withImage(ImageInput.file(RECEIPT)).withImage(ImageInput.file(RECEIPT))
                .withTiling(org.tessera.api.Tiling.internvl(2)).withSampling(Sampling.greedy(5))), j.get("answer").asText());
    }

    @Test
    void theModelUnderTesseraHomeIsTheDefaultWhenPresent() throws Exception {
        ModelOptions none = new ModelOptions();
        Path home = dir.resolve("home");
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> none.resolve(Map.of("TESSERA_HOME", home.toString())));
        assertTrue(e.getMessage().contains("models/tessera-tiny under the launcher's TESSERA_HOME"), e.getMessage());
        Files.createDirectories(home.resolve(ModelOptions.BUNDLED_MODEL));
        Files.writeString(home.resolve(ModelOptions.BUNDLED_MODEL).resolve("config.json"), "{}");
        assertEquals(home.resolve("models/tessera-tiny"), none.resolve(Map.of("TESSERA_HOME", home.toString())));
        assertEquals(Path.of("/m"), none.resolve(Map.of("TESSERA_HOME", home.toString(), "TESSERA_MODEL", "/m")));
        ModelOptions given = new ModelOptions();
        new CommandLine(given).parseArgs("--model", "/d");
        assertEquals(Path.of("/d"), given.resolve(Map.of("TESSERA_HOME", home.toString())));
    }

    @Test
    void askWithoutModelOrWithBadImageFailsClearly() throws Exception {
        ModelOptions none = new ModelOptions();
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> none.resolve(Map.of()));
        assertTrue(e.getMessage().contains("TESSERA_MODEL"), e.getMessage());
        assertEquals(Path.of("/m"), none.resolve(Map.of("TESSERA_MODEL", "/m")));

        var missing = ForwardCommandTest.run("ask", "--model", GOLDEN.toString(), "--image", dir.resolve("nope.png").toString(), "q");
        assertNotEquals(0, missing.code());
        assertTrue(missing.err().contains("nope.png"), missing.err());
        Path junk = dir.resolve("junk.jpg");
        Files.write(junk, new byte[] {(byte) 0xFF, (byte) 0xD8, 1, 2, 3});
        var corrupt = ForwardCommandTest.run("ask", "--model", GOLDEN.toString(), "--image", junk.toString(), "q");
        assertNotEquals(0, corrupt.code());
        assertTrue(corrupt.err().startsWith("tessera: ") && corrupt.err().contains("junk.jpg"), corrupt.err());
        var noDir = ForwardCommandTest.run("ask", "--model", dir.resolve("none").toString(), "q");
        assertNotEquals(0, noDir.code());
        assertTrue(noDir.err().contains("no such model directory"), noDir.err());
    }

    @Test
    void chatRunsTurnsAndCommandsFromAPipe() {
        CommandLine cl = Main.commandLine();
        ChatCommand chat = cl.getSubcommands().get("chat").getCommand();
        chat.in = new BufferedReader(new StringReader("/image " + RECEIPT + "\n/tiles\nWhat is the total?\nAnd the date?\n"
                + "/image " + dir.resolve("missing.png") + "\n/bogus\n/reset\n/tiles\n/exit\nnever asked\n"));
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute("chat", "--model", GOLDEN.toString(), "--max-new-tokens", "6", "--max-tiles", "4");
        assertEquals(0, code, err.toString());
        String o = out.toString();
        assertTrue(o.contains("(image added to the next question"), o);
        assertTrue(o.contains("1 image(s) waiting"), o);
        assertTrue(o.contains("(conversation cleared)"), o);
        assertTrue(o.contains("(no images yet)"), o);
        assertTrue(err.toString().contains("missing.png: no such file"), err.toString());
        assertTrue(err.toString().contains("unknown command /bogus"), err.toString());
        // The two answers are what a session through the API gives.
        try (VisionLanguageModel vlm = VisionLanguageModel.load(GOLDEN)) {
            var s = vlm.newChat(org.tessera.api.Tiling.internvl(4), Sampling.greedy(6));
            s.addImage(ImageInput.file(RECEIPT));
            String a1 = s.send("What is the total?").text(), a2 = s.send("And the date?").text();
            int i1 = o.indexOf(a1 + "\n"), i2 = o.indexOf(a2 + "\n", Math.max(i1, 0) + a1.length());
            assertTrue(i1 >= 0 && i2 > i1, "answers " + a1 + " / " + a2 + " in\n" + o);
        }
    }
}
