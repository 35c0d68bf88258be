package io.llmstore.core.gateway;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A stored API key: never the raw key, only its {@link ApiKeyHasher hash}. Immutable.
 *
 * @param id                 database id
 * @param keyHash            64 hex digits, see {@link ApiKeyHasher}
 * @param name               what the owner calls it
 * @param enabled            false once disabled or revoked
 * @param createdAt          when it was created
 * @param expiresAt          when it stops being valid; null = never
 * @param revokedAt          when it was revoked for good; null = not revoked
 * @param allowedModels      model names or aliases it may call; empty = every model
 * @param rateLimitPerMinute requests per minute, null = no limit
 * @param monthlyBudgetUsd   spending limit per calendar month (UTC), null = no budget
 */
public record ApiKey(long id, String keyHash, String name, boolean enabled, Instant createdAt, Instant expiresAt,
                     Instant revokedAt, List<String> allowedModels, Integer rateLimitPerMinute,
                     BigDecimal monthlyBudgetUsd) {
    public ApiKey {
        Objects.requireNonNull(keyHash, "keyHash");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(createdAt, "createdAt");
        allowedModels = List.copyOf(allowedModels);
    }

    /** Enabled, not revoked and not expired at {@code now}. */
    public boolean isValidAt(Instant now) {
        return enabled && revokedAt == null && (expiresAt == null || now.isBefore(expiresAt));
    }

    /** Why the key is refused at {@code now}, empty when it is valid: "disabled", "revoked at ...", "expired at ...". */
    public Optional<String> refusalAt(Instant now) {
        if (revokedAt != null) {
            return Optional.of("API key " + id + " was revoked at " + revokedAt);
        }
        if (!enabled) {
            return Optional.of("API key " + id + " is disabled");
        }
        if (expiresAt != null && !now.isBefore(expiresAt)) {
            return Optional.of("API key " + id + " expired at " + expiresAt);
        }
        return Optional.empty();
    }

    public Optional<Instant> expiry() {
        return Optional.ofNullable(expiresAt);
    }

    public Optional<Integer> rateLimit() {
        return Optional.ofNullable(rateLimitPerMinute);
    }

    public Optional<BigDecimal> monthlyBudget() {
        return Optional.ofNullable(monthlyBudgetUsd);
    }

    /** The id, name, state and the first 8 hex digits of the hash (enough to tell keys apart in a log). */
    @Override
    public String toString() {
        return "ApiKey{id=" + id + ", name='" + name + "', hash=" + keyHash.substring(0, Math.min(8, keyHash.length()))
                + "..., enabled=" + enabled + (revokedAt == null ? "" : ", revokedAt=" + revokedAt)
                + (expiresAt == null ? "" : ", expiresAt=" + expiresAt) + ", allowedModels=" + allowedModels
                + (rateLimitPerMinute == null ? "" : ", rateLimitPerMinute=" + rateLimitPerMinute)
                + (monthlyBudgetUsd == null ? "" : ", monthlyBudgetUsd=" + monthlyBudgetUsd.toPlainString()) + "}";
    }
}
