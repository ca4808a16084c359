package org.tessera.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.core.DType;
import org.tessera.core.tensor.Tensor;

class CheckpointTest {
    @TempDir
    Path dir;

    /** Two shards: a and b in shard 1, c in shard 2, plus an index listing them (and optionally more). */
    private Path sharded(String extraMapEntries) throws IOException {
        SafetensorsWriter.writeAll(dir.resolve("model-00001-of-00002.safetensors"), Map.of(
                "a", Tensor.ofFloats(new float[] {1, 2}, 2),
                "b", Tensor.ofLongs(new long[] {7}, 1)), Map.of("format", "pt"));
        SafetensorsWriter.writeAll(dir.resolve("model-00002-of-00002.safetensors"), Map.of(
                "c", Tensor.fromFloats(new float[] {3, 4, 5, 6}, DType.BF16, 2, 2),
                "unlisted", Tensor.ofFloats(new float[] {9}, 1)), Map.of());
        Path index = dir.resolve(Checkpoint.INDEX_FILE);
        Files.writeString(index, """
                {"metadata": {"total_size": 32},
                 "weight_map": {
                   "c": "model-00002-of-00002.safetensors",
                   "a": "model-00001-of-00002.safetensors",
                   "b": "model-00001-of-00002.safetensors"%s
                 }}""".formatted(extraMapEntries));
        return index;
    }

    @Test
    void opensShardsThroughTheIndex() throws IOException {
        sharded("");
        Tensor kept;
        try (Checkpoint c = Checkpoint.open(dir)) {
            assertEquals(List.of("c", "a", "b"), c.names(), "weight-map order");
            assertEquals(2, c.files().size());
            assertArrayEquals(new float[] {1, 2}, c.tensor("a").toFloatArray());
            assertArrayEquals(new long[] {7}, c.tensor("b").toLongArray());
            assertArrayEquals(new float[] {3, 4, 5, 6}, c.tensor("c").toFloatArray());
            assertEquals(DType.BF16, c.info("c").dtype());
            assertEquals("model-00002-of-00002.safetensors", c.pathOf("c").getFileName().toString());
            assertEquals("32", c.metadata().get("total_size"));
            assertTrue(!c.contains("unlisted"), "the weight map is authoritative");
            SafetensorsException e = assertThrows(SafetensorsException.class, () -> c.tensor("unlisted"));
            assertEquals("unlisted", e.tensor());
            kept = c.tensor("a");
        }
        assertThrows(IllegalStateException.class, () -> kept.getFloat(0), "close() unmaps every shard");
        // The index file itself can be given.
        try (Checkpoint c = Checkpoint.open(dir.resolve(Checkpoint.INDEX_FILE))) {
            assertEquals(3, c.names().size());
        }
    }

    @Test
    void singleFileDirectoryAndFile() {
        Path file = dir.resolve(Checkpoint.SINGLE_FILE);
        SafetensorsWriter.writeAll(file, Map.of("w", Tensor.ofFloats(new float[] {1.5f}, 1)), Map.of("format", "pt"));
        try (Checkpoint c = Checkpoint.open(dir)) {
            assertEquals(List.of("w"), c.names());
            assertEquals(Map.of("format", "pt"), c.metadata());
            assertEquals(1.5f, c.tensor("w").getFloat(0));
        }
        try (Checkpoint c = Checkpoint.open(file)) {
            assertEquals(file, c.pathOf("w"));
        }
    }

    @Test
    void singleFileWinsOverAnIndexLikeTransformers() throws IOException {
        sharded("");
        SafetensorsWriter.writeAll(dir.resolve(Checkpoint.SINGLE_FILE), Map.of("only", Tensor.ofFloats(new float[1], 1)), Map.of());
        try (Checkpoint c = Checkpoint.open(dir)) {
            assertEquals(List.of("only"), c.names());
        }
    }

    @Test
    void missingShardIsNamed() throws IOException {
        Path index = sharded("");
        Files.delete(dir.resolve("model-00002-of-00002.safetensors"));
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> Checkpoint.open(dir));
        assertEquals(index, e.file());
        assertTrue(e.getMessage().contains("shard 'model-00002-of-00002.safetensors' is missing"), e.getMessage());
        assertTrue(e.getMessage().contains("e.g. 'c'"), e.getMessage());
    }

    @Test
    void nameMappedToAShardWithoutIt() throws IOException {
        sharded(",\n\"ghost\": \"model-00001-of-00002.safetensors\"");
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> Checkpoint.open(dir));
        assertEquals("ghost", e.tensor());
        assertTrue(e.getMessage().contains("mapped to shard 'model-00001-of-00002.safetensors', which does not contain it"),
                e.getMessage());
    }

    @Test
    void corruptShardFailsWithItsOwnName() throws IOException {
        sharded("");
        Path shard = dir.resolve("model-00002-of-00002.safetensors");
        byte[] b = Files.readAllBytes(shard);
        Files.write(shard, java.util.Arrays.copyOf(b, b.length - 1));
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> Checkpoint.open(dir));
        assertEquals(shard, e.file());
    }

    @Test
    void badIndexes() throws IOException {
        Path index = dir.resolve(Checkpoint.INDEX_FILE);
        for (String[] c : new String[][] {
                {"{\"weight_map\": ", "not valid JSON"},
                {"[]", "must be a JSON object"},
                {"{\"metadata\": {}}", "no \"weight_map\""},
                {"{\"weight_map\": {\"a\": 1}}", "must be a shard file name"},
                {"{\"weight_map\": {\"a\": \"../outside.safetensors\"}}", "not a plain file name"},
                {"{\"weight_map\": {\"a\": \"/etc/passwd\"}}", "not a plain file name"},
                {"{\"weight_map\": {\"a\": \"x.safetensors\", \"a\": \"y.safetensors\"}}", "not valid JSON"},
        }) {
            Files.writeString(index, c[0]);
            SafetensorsException e = assertThrows(SafetensorsException.class, () -> Checkpoint.open(dir), c[0]);
            assertTrue(e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
            assertEquals(index, e.file());
        }
    }

    @Test
    void emptyOrMissingPaths() {
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> Checkpoint.open(dir));
        assertTrue(e.getMessage().contains("neither model.safetensors nor model.safetensors.index.json"), e.getMessage());
        assertThrows(SafetensorsException.class, () -> Checkpoint.open(dir.resolve("nothing.safetensors")));
        assertThrows(SafetensorsException.class, () -> Checkpoint.open(dir.resolve("nothing.index.json")));
    }

    @Test
    void goldenModelDirectoryLayout() throws IOException {
        // The golden checkpoint as a model directory: config next to model.safetensors.
        Files.copy(TestFiles.resource("formats/internvl-tiny-a.safetensors"), dir.resolve(Checkpoint.SINGLE_FILE));
        Files.writeString(dir.resolve("config.json"), "{}");
        try (Checkpoint c = Checkpoint.open(dir)) {
            assertEquals(64, c.names().size());
            assertArrayEquals(new long[] {300, 48}, c.info("language_model.model.embed_tokens.weight").shape());
        }
    }
}
