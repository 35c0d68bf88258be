package io.llmstore.core.gateway;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What a new API key allows, given to {@link ApiKeys#create}: {@code ApiKeySpec.named("ci").expiresAt(t)
 * .allowedModels(List.of("gpt-4o")).rateLimitPerMinute(60).monthlyBudgetUsd(new BigDecimal("10"))}. Immutable; each
 * {@code with}-style method returns a copy.
 *
 * @param name               1..200 characters
 * @param expiresAt          null = never expires
 * @param allowedModels      names or aliases; empty = every model
 * @param rateLimitPerMinute > 0, or null for none
 * @param monthlyBudgetUsd   > 0, or null for none
 */
public record ApiKeySpec(String name, Instant expiresAt, List<String> allowedModels, Integer rateLimitPerMinute,
                         BigDecimal monthlyBudgetUsd) {
    public ApiKeySpec {
        if (name == null || name.isBlank() || name.length() > 200) {
            throw new IllegalArgumentException("name must be 1..200 characters and not blank, was "
                    + (name == null ? "null" : name.length() + " characters"));
        }
        allowedModels = List.copyOf(Objects.requireNonNull(allowedModels, "allowedModels"));
        for (String m : allowedModels) {
            if (m.isBlank()) {
                throw new IllegalArgumentException("allowedModels must not hold a blank name, was " + allowedModels);
            }
        }
        if (rateLimitPerMinute != null && rateLimitPerMinute <= 0) {
            throw new IllegalArgumentException("rateLimitPerMinute must be > 0 or null, was " + rateLimitPerMinute);
        }
        if (monthlyBudgetUsd != null && monthlyBudgetUsd.signum() <= 0) {
            throw new IllegalArgumentException("monthlyBudgetUsd must be > 0 or null, was " + monthlyBudgetUsd.toPlainString());
        }
    }

    /** A key called {@code name} with no expiry, every model, no rate limit and no budget. */
    public static ApiKeySpec named(String name) {
        return new ApiKeySpec(name, null, List.of(), null, null);
    }

    public ApiKeySpec expiresAt(Instant at) {
        return new ApiKeySpec(name, at, allowedModels, rateLimitPerMinute, monthlyBudgetUsd);
    }

    public ApiKeySpec allowedModels(List<String> models) {
        return new ApiKeySpec(name, expiresAt, models, rateLimitPerMinute, monthlyBudgetUsd);
    }

    public ApiKeySpec rateLimitPerMinute(Integer perMinute) {
        return new ApiKeySpec(name, expiresAt, allowedModels, perMinute, monthlyBudgetUsd);
    }

    public ApiKeySpec monthlyBudgetUsd(BigDecimal usd) {
        return new ApiKeySpec(name, expiresAt, allowedModels, rateLimitPerMinute, usd);
    }
}
