package org.tessera.core.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** The strict JSON reading shared by the safetensors header and shard-index parsers. */
final class Json {
    private Json() {}

    /**
     * Duplicate keys are an error (a header naming one tensor twice is ambiguous: which entry wins depends on
     * the parser), and so is anything after the top-level value. Jackson's default string and name length
     * limits (20 M chars, 50 k chars) are lifted to the 100 MB header limit, so any header the reference reader
     * accepts parses here too; the nesting-depth limit stays, since real headers are three levels deep.
     */
    static final ObjectMapper STRICT = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxStringLength(100_000_000)
                            .maxNameLength(100_000_000)
                            .build())
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** Decodes UTF-8, refusing malformed input rather than substituting U+FFFD (which would hide corruption). */
    static String decodeUtf8(byte[] bytes) throws CharacterCodingException {
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes))
                .toString();
    }
}
