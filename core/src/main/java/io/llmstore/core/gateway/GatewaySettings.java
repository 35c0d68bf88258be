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

    public static final Setting CACHE_API_KEY_SIZE = Setting.of("CACHE_API_KEY_SIZE", "1000",
            "API keys held in each instance's local cache tier");
    public static final Setting CACHE_API_KEY_TTL = Setting.of("CACHE_API_KEY_TTL", "5m",
            "life of a cached API key in both tiers; without Redis, how long another instance may accept a revoked key");
    public static final Setting CACHE_MODEL_SIZE = Setting.of("CACHE_MODEL_SIZE", "500",
            "model names and aliases held in each instance's local cache tier");
    public static final Setting CACHE_MODEL_TTL = Setting.of("CACHE_MODEL_TTL", "15m", "life of a cached model in both tiers");

    /** Every gateway setting, in the order docs/configuration.md lists them. */
    public static final List<Setting> ALL = List.of(GATEWAY_API_KEY_PEPPER, GATEWAY_QUERY_TIMEOUT, GATEWAY_BUDGET_ALERTS,
            CACHE_API_KEY_SIZE, CACHE_API_KEY_TTL, CACHE_MODEL_SIZE, CACHE_MODEL_TTL);
}
