package io.llmstore.redis;

import io.llmstore.core.config.Setting;
import java.util.List;

/**
 * The variables llmstore-redis reads, beyond core's {@code REDIS_URL} and {@code REDIS_COMMAND_TIMEOUT}.
 */
public final class RedisSettings {
    private RedisSettings() {
    }

    public static final Setting REDIS_KEY_PREFIX = Setting.of("REDIS_KEY_PREFIX", "",
            "prepended to every key llmstore writes (a namespace per application or environment); no braces");
    public static final Setting CACHE_LLM_RESPONSE_TTL = Setting.of("CACHE_LLM_RESPONSE_TTL", "1h",
            "default TTL of cached LLM responses (Redis and in-process tiers)");
    public static final Setting REDIS_CACHE_LOCK_TTL = Setting.of("REDIS_CACHE_LOCK_TTL", "30s",
            "life of the single-flight lock on a missed prompt; frees it if the computing instance dies");
    public static final Setting REDIS_CACHE_LOCK_WAIT = Setting.of("REDIS_CACHE_LOCK_WAIT", "30s",
            "longest a caller waits for another caller computing the same prompt before calling the LLM itself");

    public static final Setting REDIS_RECONNECT_MAX_DELAY = Setting.of("REDIS_RECONNECT_MAX_DELAY", "1s",
            "longest wait between reconnect attempts after Redis went away (backoff doubles from 1ms up to this); Redis serves again within about this of answering");

    /** Every setting, in the order docs/configuration.md lists them. */
    public static final List<Setting> ALL = List.of(REDIS_KEY_PREFIX, CACHE_LLM_RESPONSE_TTL, REDIS_CACHE_LOCK_TTL,
            REDIS_CACHE_LOCK_WAIT, REDIS_RECONNECT_MAX_DELAY);
}
