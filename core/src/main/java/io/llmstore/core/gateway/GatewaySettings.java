package io.llmstore.core.gateway;

import io.llmstore.core.config.Setting;
import java.util.List;

/**
 * The variables the gateway reads (besides {@code CACHE_API_KEY_*} and {@code CACHE_MODEL_*}, whose defaults are
 * {@link Gateway#API_KEY_CACHE_SIZE} and friends). docs/configuration.md lists them with these defaults.
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

    /** Every gateway setting, in the order docs/configuration.md lists them. */
    public static final List<Setting> ALL = List.of(GATEWAY_API_KEY_PEPPER, GATEWAY_QUERY_TIMEOUT, GATEWAY_BUDGET_ALERTS);
}
