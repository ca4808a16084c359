package org.tessera.model.text;

/**
 * Decodes generated ids one at a time. Each call returns only text that is final: a multi-byte UTF-8 character
 * split across tokens is held back until its last byte arrives, and anything else the full decode could still change
 * (SentencePiece's per-byte replacement of broken byte runs, InternLM2's tokenization-space clean-up) waits until it
 * is decided. The contract, checked by the tests for every prefix of every test string:
 * <pre>
 *   concat(push(id_1), ..., push(id_n), flush()) == tokenizer.decode([id_1..id_n], skipSpecial)
 * </pre>
 * so a streamed answer and the final answer never disagree. Not thread-safe; one instance per generation.
 */
public interface StreamingDecoder {

    /** Feeds one id; returns the text that became final (often empty, never partial characters). */
    String push(int id);

    /** Returns everything still held back (broken sequences as U+FFFD) and resets the decoder for reuse. */
    String flush();
}
