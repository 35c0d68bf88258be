-- llmstore usage schema, version 3 (plain PostgreSQL): hourly and daily rollups as ordinary views with the same
-- names and columns as the TimescaleDB continuous aggregates, so the same queries return the same answers.
-- date_bin with origin 2000-01-03 aligns buckets exactly like TimescaleDB's time_bucket. Views are always
-- current and need no refresh; they aggregate at query time (the time index bounds the scan for a window).

CREATE OR REPLACE VIEW llm_usage_hourly AS
SELECT date_bin(INTERVAL '1 hour', time, TIMESTAMPTZ '2000-01-03 00:00:00+00') AS bucket,
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
GROUP BY 1, model_id, provider;

CREATE OR REPLACE VIEW llm_usage_daily AS
SELECT date_bin(INTERVAL '1 day', time, TIMESTAMPTZ '2000-01-03 00:00:00+00') AS bucket,
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
GROUP BY 1, model_id, provider;
