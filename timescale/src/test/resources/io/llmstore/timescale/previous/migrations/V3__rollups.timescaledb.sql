-- llmstore:no-transaction
-- llmstore usage schema, version 3 (TimescaleDB): hourly and daily continuous aggregates with refresh policies.
-- Continuous aggregates cannot be created inside a transaction block: run each statement on its own, in
-- autocommit (psql does this by default without --single-transaction). They are created WITH NO DATA and filled
-- by their policies or CALL refresh_continuous_aggregate(...). materialized_only = false makes them real-time:
-- buckets not yet materialized are computed from llm_usage_metrics, so queries always see recent rows.
-- avg latency is kept as a request-weighted sum (latency_ms_sum) so rollups of rollups stay exact.

CREATE MATERIALIZED VIEW IF NOT EXISTS llm_usage_hourly
WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT time_bucket(INTERVAL '1 hour', time) AS bucket,
       model_id,
       provider,
       sum(request_count)                  AS request_count,
       sum(token_input)                    AS token_input,
       sum(token_output)                   AS token_output,
       sum(token_total)                    AS token_total,
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
