package org.tessera.model.text;

/**
 * One finished exchange of a conversation: what the user asked (placeholders such as {@code <image>} included, as
 * InternVL's {@code chat()} stores it in its history) and what the assistant answered.
 */
public record Turn(String user, String assistant) {
    public Turn {
        java.util.Objects.requireNonNull(user, "user");
        java.util.Objects.requireNonNull(assistant, "assistant");
    }
}
