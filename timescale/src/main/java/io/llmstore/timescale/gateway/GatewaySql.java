package io.llmstore.timescale.gateway;

import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.table;

import io.llmstore.core.error.QueryException;
import io.llmstore.core.retry.RetryPolicy;
import io.llmstore.timescale.internal.SqlErrors;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.function.Supplier;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.JSONB;
import org.jooq.Table;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.SQLDataType;

/**
 * The gateway's tables and columns as jOOQ names, and the one place driver errors become {@code StorageException}s.
 * A statement cancelled by {@code GATEWAY_QUERY_TIMEOUT} (SQLState 57014) becomes a {@code StorageTimeoutException}.
 */
final class GatewaySql {
    private GatewaySql() {
    }

    static final Table<?> PROVIDERS = table(name("gateway_providers"));
    static final Table<?> MODELS = table(name("gateway_models"));
    static final Table<?> NAMES = table(name("gateway_model_names"));
    static final Table<?> PRICES = table(name("gateway_model_prices"));
    static final Table<?> KEYS = table(name("gateway_api_keys"));
    static final Table<?> METADATA = table(name("gateway_api_key_metadata"));
    static final Table<?> RECORDS = table(name("gateway_usage_records"));
    static final Table<?> SUMMARIES = table(name("gateway_monthly_summaries"));

    static final Field<Long> ID = field(name("id"), SQLDataType.BIGINT);
    static final Field<String> NAME = field(name("name"), SQLDataType.CLOB);
    static final Field<OffsetDateTime> CREATED_AT = field(name("created_at"), SQLDataType.TIMESTAMPWITHTIMEZONE);

    // gateway_providers
    static final Field<String> LITELLM = field(name("litellm_provider"), SQLDataType.CLOB);
    // gateway_models
    static final Field<Long> PROVIDER_ID = field(name("provider_id"), SQLDataType.BIGINT);
    static final Field<Integer> CONTEXT_WINDOW = field(name("context_window"), SQLDataType.INTEGER);
    // gateway_model_names
    static final Field<String> LOWER_NAME = field(name("lower_name"), SQLDataType.CLOB);
    static final Field<Long> MODEL_ID = field(name("model_id"), SQLDataType.BIGINT);
    static final Field<Boolean> IS_ALIAS = field(name("is_alias"), SQLDataType.BOOLEAN);
    // gateway_model_prices
    static final Field<JSONB> PRICE_MAP = field(name("prices"), SQLDataType.JSONB);
    static final Field<OffsetDateTime> EFFECTIVE_FROM = field(name("effective_from"), SQLDataType.TIMESTAMPWITHTIMEZONE);
    static final Field<OffsetDateTime> EFFECTIVE_UNTIL = field(name("effective_until"), SQLDataType.TIMESTAMPWITHTIMEZONE);
    // gateway_api_keys
    static final Field<String> KEY_HASH = field(name("key_hash"), SQLDataType.CLOB);
    static final Field<Boolean> ENABLED = field(name("enabled"), SQLDataType.BOOLEAN);
    static final Field<OffsetDateTime> EXPIRES_AT = field(name("expires_at"), SQLDataType.TIMESTAMPWITHTIMEZONE);
    static final Field<OffsetDateTime> REVOKED_AT = field(name("revoked_at"), SQLDataType.TIMESTAMPWITHTIMEZONE);
    static final Field<String[]> ALLOWED_MODELS = field(name("allowed_models"), SQLDataType.CLOB.array());
    static final Field<Integer> RATE_LIMIT = field(name("rate_limit_per_minute"), SQLDataType.INTEGER);
    static final Field<BigDecimal> MONTHLY_BUDGET = field(name("monthly_budget_usd"), SQLDataType.NUMERIC);
    // gateway_api_key_metadata
    static final Field<Long> API_KEY_ID = field(name("api_key_id"), SQLDataType.BIGINT);
    static final Field<String> CATEGORY = field(name("category"), SQLDataType.CLOB);
    static final Field<String> VALUE = field(name("value"), SQLDataType.CLOB);
    // gateway_usage_records
    static final Field<java.util.UUID> REQUEST_ID = field(name("request_id"), SQLDataType.UUID);
    static final Field<OffsetDateTime> REQUEST_TIMESTAMP = field(name("request_timestamp"), SQLDataType.TIMESTAMPWITHTIMEZONE);
    static final Field<Long> PROMPT_TOKENS = field(name("prompt_tokens"), SQLDataType.BIGINT);
    static final Field<Long> COMPLETION_TOKENS = field(name("completion_tokens"), SQLDataType.BIGINT);
    static final Field<Long> TOTAL_TOKENS = field(name("total_tokens"), SQLDataType.BIGINT);
    static final Field<BigDecimal> COST = field(name("cost_usd"), SQLDataType.NUMERIC);
    static final Field<JSONB> REQUEST_METADATA = field(name("request_metadata"), SQLDataType.JSONB);
    static final Field<JSONB> RESPONSE_METADATA = field(name("response_metadata"), SQLDataType.JSONB);
    // gateway_monthly_summaries
    static final Field<Integer> YEAR = field(name("year"), SQLDataType.INTEGER);
    static final Field<Integer> MONTH = field(name("month"), SQLDataType.INTEGER);
    static final Field<Long> REQUEST_COUNT = field(name("request_count"), SQLDataType.BIGINT);
    static final Field<BigDecimal> SUM_PROMPT = field(name("prompt_tokens"), SQLDataType.NUMERIC);
    static final Field<BigDecimal> SUM_COMPLETION = field(name("completion_tokens"), SQLDataType.NUMERIC);
    static final Field<BigDecimal> SUM_TOTAL = field(name("total_tokens"), SQLDataType.NUMERIC);
    static final Field<OffsetDateTime> REFRESHED_AT = field(name("refreshed_at"), SQLDataType.TIMESTAMPWITHTIMEZONE);

    static OffsetDateTime odt(Instant i) {
        return i == null ? null : i.atOffset(ZoneOffset.UTC);
    }

    static Instant instant(OffsetDateTime t) {
        return t == null ? null : t.toInstant();
    }

    /** Runs one statement (or transaction), translating driver errors, retried by {@code retry} when retryable. */
    static <T> T run(RetryPolicy retry, String operation, Supplier<T> statement) {
        return retry.call(operation, () -> translated(operation, statement));
    }

    /** Runs once, translating driver errors (writes whose replay could double-apply them). */
    static <T> T translated(String operation, Supplier<T> statement) {
        try {
            return statement.get();
        } catch (DataAccessException e) {
            SQLException sql = e.getCause(SQLException.class);
            if (sql != null) {
                throw SqlErrors.translate(operation, sql);
            }
            throw new QueryException(operation + " failed: " + e.getMessage(), e, false);
        }
    }

    /** One jOOQ context per statement scope: the pool's, with the query timeout in whole seconds (rounded up). */
    static DSLContext withTimeout(DSLContext dsl, java.time.Duration timeout) {
        int seconds = (int) Math.max(1, (timeout.toMillis() + 999) / 1000);
        // A copy: the pool's Settings object is shared with every other feature's statements.
        org.jooq.conf.Settings settings = org.jooq.conf.SettingsTools.clone(dsl.settings()).withQueryTimeout(seconds);
        return org.jooq.impl.DSL.using(dsl.configuration().derive(settings));
    }
}
