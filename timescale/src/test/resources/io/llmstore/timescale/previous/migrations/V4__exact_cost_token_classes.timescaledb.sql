-- llmstore:no-transaction
-- llmstore usage schema, version 4 (TimescaleDB): exact costs, every token class, and what priced a cost.
-- Same columns as V4__exact_cost_token_classes.postgresql.sql (see there). A column that a continuous aggregate
-- reads cannot change type, so the hourly and daily aggregates (derived data: every row they sum stays in
-- llm_usage_metrics) are dropped with their policies, the table is altered, and both are recreated as in V3 with
-- sums of the new token columns, then refreshed over all stored rows so they hold what they held before. Run each
-- statement on its own, in autocommit (psql's default). A hypertable with compression enabled
-- (TIMESCALE_COMPRESS_AFTER) cannot change a column type: decompress its chunks first.

DROP MATERIALIZED VIEW IF EXISTS llm_usage_daily;

DROP MATERIALIZED VIEW IF EXISTS llm_usage_hourly;

ALTER TABLE llm_usage_metrics ALTER COLUMN cost_usd TYPE NUMERIC(28,18);

ALTER TABLE llm_usage_metrics ADD COLUMN IF NOT EXISTS token_cache_read BIGINT CHECK (token_cache_read >= 0);

ALTER TABLE llm_usage_metrics ADD COLUMN IF NOT EXISTS token_cache_write BIGINT CHECK (token_cache_write >= 0);

ALTER TABLE llm_usage_metrics ADD COLUMN IF NOT EXISTS token_reasoning BIGINT CHECK (token_reasoning >= 0);

ALTER TABLE llm_usage_metrics ADD COLUMN IF NOT EXISTS price_source VARCHAR(255);

CREATE MATERIALIZED VIEW IF NOT EXISTS llm_usage_hourly
WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT time_bucket(INTERVAL '1 hour', time) AS bucket,
       model_id,
       provider,
       sum(request_count)                  AS request_count,
       sum(token_input)                    AS token_input,
       sum(token_output)                   AS token_output,
       sum(token_total)                    AS token_total,
       sum(token_cache_read)               AS token_cache_read,
       sum(token_cache_write)              AS token_cache_write,
       sum(token_reasoning)                AS token_reasoning,
       sum(cost_usd)                       AS cost_usd,
       sum(avg_latency_ms * request_count) AS latency_ms_sum,
       sum(error_count)                    AS error_count,
       sum(success_count)                  AS success_count
FROM llm_usage_metrics
GROUP BY bucket, model_id, provider
WITH NO DATA;

CREATE MATERIALIZED VIEW IF NOT EXISTS llm_usage_daily
WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT time_bucket(INTERVAL '1 day', time) AS bucket,
       model_id,
       provider,
       sum(request_count)                  AS request_count,
       sum(token_input)                    AS token_input,
       sum(token_output)                   AS token_output,
       sum(token_total)                    AS token_total,
       sum(token_cache_read)               AS token_cache_read,
       sum(token_cache_write)              AS token_cache_write,
       sum(token_reasoning)                AS token_reasoning,
       sum(cost_usd)                       AS cost_usd,
       sum(avg_latency_ms * request_count) AS latency_ms_sum,
       sum(error_count)                    AS error_count,
       sum(success_count)                  AS success_count
FROM llm_usage_metrics
GROUP BY bucket, model_id, provider
WITH NO DATA;

SELECT add_continuous_aggregate_policy('llm_usage_hourly',
    start_offset => INTERVAL '3 days', end_offset => INTERVAL '1 hour',
    schedule_interval => INTERVAL '30 minutes', if_not_exists => TRUE);

SELECT add_continuous_aggregate_policy('llm_usage_daily',
    start_offset => INTERVAL '35 days', end_offset => INTERVAL '1 day',
    schedule_interval => INTERVAL '1 hour', if_not_exists => TRUE);

CALL refresh_continuous_aggregate('llm_usage_hourly', NULL, NULL);

CALL refresh_continuous_aggregate('llm_usage_daily', NULL, NULL);
