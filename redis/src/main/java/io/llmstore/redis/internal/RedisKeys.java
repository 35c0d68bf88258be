package io.llmstore.redis.internal;

import io.llmstore.core.cache.PromptKeys;
import java.nio.charset.StandardCharsets;

/**
 * Key encoding. Keys are UTF-8 bytes of the text, used verbatim (spaces, newlines, quotes are all fine in Redis).
 * Rate-limit keys put the limited entity in a {hash tag} so every limit of one entity lives in one cluster slot.
 */
public final class RedisKeys {
    private RedisKeys() {
    }

    public static byte[] bytes(String key) {
        return key.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * {@code <prefix>ratelimit:{<entity>}:<limit name>[:tb]}. An entity containing a brace would break the hash
     * tag (Redis tags from the first '{' to the next '}'), so such an entity is tagged by its SHA-256 instead.
     */
    public static String rateLimit(String prefix, String entity, String limitName, boolean tokenBucket) {
        String tag = entity.indexOf('{') < 0 && entity.indexOf('}') < 0 ? entity : "sha256:" + PromptKeys.sha256Hex(entity);
        return prefix + "ratelimit:{" + tag + "}:" + limitName + (tokenBucket ? ":tb" : "");
    }

    /** {@code <prefix>session:<id>}. */
    public static String session(String prefix, String id) {
        return prefix + "session:" + id;
    }

    /** {@code <prefix>llm:lock:<model>:<sha256(prompt)>}: the single-flight lock of one response key. */
    public static String responseLock(String prefix, String model, String prompt) {
        return prefix + "llm:lock:" + model + ":" + PromptKeys.sha256Hex(prompt);
    }
}
