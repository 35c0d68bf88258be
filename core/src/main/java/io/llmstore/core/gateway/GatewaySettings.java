package io.llmstore.core.gateway;

import io.llmstore.core.config.Setting;
import java.util.List;

/**
 * The variables the gateway reads. The cache ones are read through {@code StorageConfig.cache(name, ...)} with
 * {@link Gateway#API_KEY_CACHE_SIZE} and friends as defaults, the same values as here (a unit test checks it).
 * docs/configuration.md lists them with these defaults.
 */
public final class GatewaySettings {
    private GatewaySettings() {
    }

    public static final Setting GATEWAY_API_KEY_PEPPER = Setting.secret("GATEWAY_API_KEY_PEPPER",
            "secret key of HMAC-SHA-256 over API keys before they are stored or looked up; unset = plain SHA-256");
    public static final Setting GATEWAY_QUERY_TIMEOUT = Setting.of("GATEWAY_QUERY_TIMEOUT", "5s",
            "bound on every gateway database statement; a statement past it is cancelled and throws StorageTimeoutException");
    public static final Setting GATEWAY_BUDGET_ALERTS = Setting.of("GATEWAY_BUDGET_ALERTS", "80,95",
            "percentages of a key's monthly budget at which one alert per key and month goes to llm-alerts");

    public static final Setting GATEWAY_RECORD_BUFFER_CAPACITY = Setting.of("GATEWAY_RECORD_BUFFER_CAPACITY", "100000",
            "most usage records records().buffered() holds before back-pressure (it waits up to 5s, then BufferFullException)");
    public static final Setting GATEWAY_RECORD_FLUSH_SIZE = Setting.of("GATEWAY_RECORD_FLUSH_SIZE", "1000",
            "usage records per batch of records().buffered(); a write starts as soon as this many are buffered");
    public static final Setting GATEWAY_RECORD_FLUSH_INTERVAL = Setting.of("GATEWAY_RECORD_FLUSH_INTERVAL", "1s",
            "longest a buffered usage record waits before a write starts");
    public static final Setting CACHE_API_KEY_SIZE = Setting.of("CACHE_API_KEY_SIZE", "1000",
            "API keys held in each instance's local cache tier");
    public static final Setting CACHE_API_KEY_TTL = Setting.of("CACHE_API_KEY_TTL", "5m",
            "life of a cached API key in both tiers; without Redis, how long another instance may accept a revoked key");
    public static final Setting CACHE_MODEL_SIZE = Setting.of("CACHE_MODEL_SIZE", "500",
            "model names and aliases held in each instance's local cache tier");
    public static final Setting CACHE_MODEL_TTL = Setting.of("CACHE_MODEL_TTL", "15m", "life of a cached model in both tiers");

    /** Every gateway setting, in the order docs/configuration.md lists them. */
    public static final List<Setting> ALL = List.of(GATEWAY_API_KEY_PEPPER, GATEWAY_QUERY_TIMEOUT, GATEWAY_BUDGET_ALERTS,
            GATEWAY_RECORD_BUFFER_CAPACITY, GATEWAY_RECORD_FLUSH_SIZE, GATEWAY_RECORD_FLUSH_INTERVAL, CACHE_API_KEY_SIZE, CACHE_API_KEY_TTL, CACHE_MODEL_SIZE, CACHE_MODEL_TTL);
}
