package org.tessera.server;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A request the server refuses, with the HTTP status and the body OpenAI's API sends:
 * {@code {"error": {"message", "type", "param", "code"}}}.
 */
final class ApiError extends RuntimeException {
    final int status;
    final String type;
    final String param;
    final String code;

    ApiError(int status, String type, String code, String param, String message) {
        super(message);
        this.status = status;
        this.type = type;
        this.code = code;
        this.param = param;
    }

    /** 400: the request is malformed or asks for something unsupported. */
    static ApiError invalid(String param, String message) {
        return new ApiError(400, "invalid_request_error", null, param, message);
    }

    /** 400 with a machine-readable code. */
    static ApiError invalid(String code, String param, String message) {
        return new ApiError(400, "invalid_request_error", code, param, message);
    }

    /** 413: a size limit was exceeded. */
    static ApiError tooLarge(String code, String param, String message) {
        return new ApiError(413, "invalid_request_error", code, param, message);
    }

    ObjectNode body() {
        return body(getMessage(), type, param, code);
    }

    static ObjectNode body(String message, String type, String param, String code) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode e = f.objectNode();
        e.put("message", message);
        e.put("type", type);
        if (param == null) e.putNull("param"); else e.put("param", param);
        if (code == null) e.putNull("code"); else e.put("code", code);
        ObjectNode root = f.objectNode();
        root.set("error", e);
        return root;
    }
}
