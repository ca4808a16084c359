package org.tessera.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Typed, defaulting access to one object of a Hugging Face {@code config.json}, for the config records' parsers.
 * A key that is absent or JSON {@code null} takes the default given by the caller (the original Python class's
 * {@code __init__} default, which is what {@code from_pretrained} would use); a key present with the wrong type is
 * an error naming the file and the dotted key path, never a silent default.
 */
public final class ConfigNode {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final JsonNode node;
    private final String file;
    private final String path; // "" for the root, else "vision_config." etc.

    private ConfigNode(JsonNode node, String file, String path) {
        this.node = node;
        this.file = file;
        this.path = path;
    }

    /** Reads a JSON object file; a missing file or bad JSON is a {@link ModelException} naming it. */
    public static ConfigNode read(Path file) {
        JsonNode root;
        try {
            root = MAPPER.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new ModelException(file + ": no such file");
        } catch (IOException e) {
            throw new ModelException(file + ": cannot read JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) throw new ModelException(file + ": must hold a JSON object");
        return new ConfigNode(root, file.toString(), "");
    }

    /** Wraps an already parsed object (tests, configs built in code). */
    public static ConfigNode of(JsonNode node, String file) {
        if (node == null || !node.isObject()) throw new ModelException(file + ": must hold a JSON object");
        return new ConfigNode(node, file, "");
    }

    public String file() { return file; }

    public boolean has(String key) {
        JsonNode v = node.get(key);
        return v != null && !v.isNull();
    }

    /** A nested object; absent or null gives an empty object (all defaults). */
    public ConfigNode object(String key) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) return new ConfigNode(MAPPER.createObjectNode(), file, path + key + ".");
        if (!v.isObject()) throw error(key, "must be an object, got " + v);
        return new ConfigNode(v, file, path + key + ".");
    }

    public int intOr(String key, int dflt) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) return dflt;
        if (!v.isIntegralNumber() || !v.canConvertToInt()) throw error(key, "must be an integer, got " + v);
        return v.intValue();
    }

    public int requireInt(String key) {
        if (!has(key)) throw error(key, "is required");
        return intOr(key, 0);
    }

    public double doubleOr(String key, double dflt) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) return dflt;
        if (!v.isNumber()) throw error(key, "must be a number, got " + v);
        return v.doubleValue();
    }

    public boolean boolOr(String key, boolean dflt) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) return dflt;
        if (!v.isBoolean()) throw error(key, "must be true or false, got " + v);
        return v.booleanValue();
    }

    public String stringOr(String key, String dflt) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) return dflt;
        if (!v.isTextual()) throw error(key, "must be a string, got " + v);
        return v.textValue();
    }

    /** The first entry of a string array such as {@code architectures}, or {@code dflt} when absent or empty. */
    public String firstStringOr(String key, String dflt) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) return dflt;
        if (!v.isArray()) throw error(key, "must be an array of strings, got " + v);
        if (v.isEmpty()) return dflt;
        if (!v.get(0).isTextual()) throw error(key, "must be an array of strings, got " + v);
        return v.get(0).textValue();
    }

    /** The raw node of a key (null when absent), for values with several shapes such as {@code rope_scaling}. */
    public JsonNode raw(String key) {
        JsonNode v = node.get(key);
        return v == null || v.isNull() ? null : v;
    }

    /** An error about this object as a whole, e.g. "config.json: vision_config: hidden_size 30 is not a multiple ...". */
    public ModelException invalid(String problem) {
        return new ModelException(file + ": " + (path.isEmpty() ? "" : path.substring(0, path.length() - 1) + ": ") + problem);
    }

    /** An error about {@code key} of this object, e.g. "config.json: llm_config.hidden_size must be positive". */
    public ModelException error(String key, String problem) {
        return new ModelException(file + ": " + path + key + " " + problem);
    }
}
