package io.llmstore.timescale.gateway;

import static io.llmstore.timescale.gateway.GatewaySql.*;
import static org.jooq.impl.DSL.coalesce;
import static org.jooq.impl.DSL.val;

import io.llmstore.core.gateway.ApiKey;
import io.llmstore.core.gateway.ApiKeySpec;
import io.llmstore.core.gateway.ApiKeyStore;
import io.llmstore.core.retry.RetryPolicy;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;

/** {@link ApiKeyStore} over {@code gateway_api_keys} and {@code gateway_api_key_metadata}, every value bound. */
final class PostgresApiKeyStore implements ApiKeyStore {
    private static final List<Field<?>> COLUMNS = List.of(ID, KEY_HASH, NAME, ENABLED, CREATED_AT, EXPIRES_AT,
            REVOKED_AT, ALLOWED_MODELS, RATE_LIMIT, MONTHLY_BUDGET);

    private final DSLContext dsl;
    private final RetryPolicy retry;

    PostgresApiKeyStore(DSLContext dsl, RetryPolicy retry) {
        this.dsl = dsl;
        this.retry = retry;
    }

    @Override
    public ApiKey insert(String keyHash, ApiKeySpec spec) {
        return translated("creating an API key", () -> map(dsl.insertInto(KEYS)
                .set(KEY_HASH, keyHash)
                .set(NAME, spec.name())
                .set(EXPIRES_AT, odt(spec.expiresAt()))
                .set(ALLOWED_MODELS, spec.allowedModels().toArray(String[]::new))
                .set(RATE_LIMIT, spec.rateLimitPerMinute())
                .set(MONTHLY_BUDGET, spec.monthlyBudgetUsd())
                .returningResult(COLUMNS)
                .fetchOne()));
    }

    @Override
    public Optional<ApiKey> findByHash(String keyHash) {
        return run(retry, "reading an API key", () ->
                dsl.select(COLUMNS).from(KEYS).where(KEY_HASH.eq(keyHash)).fetchOptional().map(PostgresApiKeyStore::map));
    }

    @Override
    public Optional<ApiKey> findById(long id) {
        return run(retry, "reading API key " + id, () ->
                dsl.select(COLUMNS).from(KEYS).where(ID.eq(id)).fetchOptional().map(PostgresApiKeyStore::map));
    }

    @Override
    public Optional<ApiKey> setEnabled(long id, boolean enabled) {
        // A revoked key never comes back: enabling it keeps enabled = false.
        Field<Boolean> value = enabled ? REVOKED_AT.isNull() : val(false);
        return run(retry, (enabled ? "enabling" : "disabling") + " API key " + id, () -> dsl.update(KEYS)
                .set(ENABLED, value).where(ID.eq(id)).returningResult(COLUMNS).fetchOptional().map(PostgresApiKeyStore::map));
    }

    @Override
    public Optional<ApiKey> revoke(long id, Instant at) {
        return run(retry, "revoking API key " + id, () -> dsl.update(KEYS)
                .set(ENABLED, false)
                .set(REVOKED_AT, coalesce(REVOKED_AT, val(odt(at))))
                .where(ID.eq(id)).returningResult(COLUMNS).fetchOptional().map(PostgresApiKeyStore::map));
    }

    @Override
    public boolean setMetadata(long id, String category, String key, String value) {
        return run(retry, "setting metadata of API key " + id, () -> {
            // INSERT ... SELECT from the key's row: no row (unknown key) inserts nothing instead of a FK error.
            int rows = dsl.insertInto(METADATA, API_KEY_ID, CATEGORY, NAME, VALUE)
                    .select(dsl.select(ID, val(category), val(key), val(value)).from(KEYS).where(ID.eq(id)))
                    .onConflict(API_KEY_ID, CATEGORY, NAME).doUpdate().set(VALUE, val(value))
                    .execute();
            return rows > 0;
        });
    }

    @Override
    public Map<String, String> metadata(long id, String category) {
        return run(retry, "reading metadata of API key " + id, () -> {
            Map<String, String> out = new LinkedHashMap<>();
            dsl.select(NAME, VALUE).from(METADATA).where(API_KEY_ID.eq(id).and(CATEGORY.eq(category))).orderBy(NAME)
                    .forEach(r -> out.put(r.get(NAME), r.get(VALUE)));
            return out;
        });
    }

    @Override
    public List<ApiKey> listAfter(long afterId, int limit) {
        return run(retry, "listing API keys", () -> dsl.select(COLUMNS).from(KEYS).where(ID.gt(afterId))
                .orderBy(ID).limit(limit).fetch(PostgresApiKeyStore::map));
    }

    @Override
    public List<ApiKey> listPage(int limit, long offset) {
        return run(retry, "listing API keys", () -> dsl.select(COLUMNS).from(KEYS).orderBy(ID)
                .limit(limit).offset(offset).fetch(PostgresApiKeyStore::map));
    }

    private static ApiKey map(Record r) {
        return new ApiKey(r.get(ID), r.get(KEY_HASH), r.get(NAME), r.get(ENABLED), instant(r.get(CREATED_AT)),
                instant(r.get(EXPIRES_AT)), instant(r.get(REVOKED_AT)), List.of(r.get(ALLOWED_MODELS)),
                r.get(RATE_LIMIT), r.get(MONTHLY_BUDGET) == null ? null : r.get(MONTHLY_BUDGET).stripTrailingZeros());
    }
}
