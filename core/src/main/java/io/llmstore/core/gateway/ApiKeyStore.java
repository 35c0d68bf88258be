package io.llmstore.core.gateway;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The database side of {@link ApiKeys}, implemented by the PostgreSQL adapter; applications use {@link ApiKeys},
 * which adds the hashing and the cache tiers. Every call is one bounded statement (or one transaction) and throws
 * {@link io.llmstore.core.error.StorageException} on a backend failure
 * ({@link io.llmstore.core.error.StorageTimeoutException} past {@code GATEWAY_QUERY_TIMEOUT}).
 */
public interface ApiKeyStore {
    /** Stores a new key under {@code keyHash}; a hash already stored is a data-error {@code QueryException}. */
    ApiKey insert(String keyHash, ApiKeySpec spec);

    Optional<ApiKey> findByHash(String keyHash);

    Optional<ApiKey> findById(long id);

    /** Sets {@code enabled}; empty when no key has {@code id}. A revoked key stays disabled. */
    Optional<ApiKey> setEnabled(long id, boolean enabled);

    /** Disables the key for good, stamping {@code at} (a second revoke keeps the first time); empty when unknown. */
    Optional<ApiKey> revoke(long id, Instant at);

    /** Sets {@code category}/{@code key} to {@code value}; false when no key has {@code id}. */
    boolean setMetadata(long id, String category, String key, String value);

    /** Every key/value of {@code category}, by key; empty when none. */
    Map<String, String> metadata(long id, String category);

    /** Keys with an id greater than {@code afterId}, by id, at most {@code limit}. */
    List<ApiKey> listAfter(long afterId, int limit);

    /** Keys by id, skipping {@code offset}, at most {@code limit} (the guide's paging; prefer {@link #listAfter}). */
    List<ApiKey> listPage(int limit, long offset);
}
