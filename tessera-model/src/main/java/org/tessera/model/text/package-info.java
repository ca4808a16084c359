/**
 * Text side of the InternVL models: tokenizers and prompt construction.
 *
 * <ul>
 *   <li>{@link org.tessera.model.text.Tokenizer}: the common interface (encode with added tokens recognised,
 *       decode with or without special tokens, vocabulary lookups, {@link org.tessera.model.text.StreamingDecoder}).</li>
 *   <li>{@link org.tessera.model.text.ByteLevelBpeTokenizer}: Qwen2 / Qwen2.5 from {@code tokenizer.json}
 *       (InternVL2-1B, InternVL2_5-1B). Checked id for id against transformers.js on a set of hard strings
 *       (see the test resources' {@code make_expected.mjs}); the pre-tokenizer is also checked against a
 *       backtracking regex engine on random strings.</li>
 *   <li>{@link org.tessera.model.text.SentencePieceBpeTokenizer}: InternLM2's {@code tokenizer.model}
 *       (InternVL2-2B, Mini-InternVL-Chat-2B-V1-5). Checked against hand-derived rules on small models built by the
 *       tests; not against the real InternLM2 file, which was not available (see its class comment).</li>
 *   <li>{@link org.tessera.model.text.ChatTemplate}: the four conversation templates and {@code chat()}'s query and
 *       answer handling, with images expanded through {@link org.tessera.model.text.ImageTokenLayout}.</li>
 * </ul>
 */
package org.tessera.model.text;
