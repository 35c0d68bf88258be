-- llmstore usage schema, version 4 (plain PostgreSQL): exact costs, every token class, and what priced a cost.
-- * cost_usd NUMERIC(10,6) -> NUMERIC(28,18): a cost is stored exactly to 18 decimal places (one token of the
--   cheapest model is about 1e-8 USD; NUMERIC(10,6) stored it as 0). Widening keeps every stored value.
-- * token_cache_read, token_cache_write (both part of token_input) and token_reasoning (part of token_output),
--   nullable: NULL = not reported, which is what every row stored before this version says.
-- * price_source: the catalog (<dataset>@<version>, +override:<id>) or 'caller' that priced cost_usd; NULL on rows
--   stored before this version.
-- The rollup views read cost_usd, so they are dropped and recreated around the type change (views hold no data),
-- with sums of the new token columns. One transaction: all of it or nothing.

DROP VIEW IF EXISTS llm_usage_daily;
DROP VIEW IF EXISTS llm_usage_hourly;

ALTER TABLE llm_usage_metrics ALTER COLUMN cost_usd TYPE NUMERIC(28,18);

ALTER TABLE llm_usage_metrics ADD COLUMN IF NOT EXISTS token_cache_read BIGINT CHECK (token_cache_read >= 0);

ALTER TABLE llm_usage_metrics ADD COLUMN IF NOT EXISTS token_cache_write BIGINT CHECK (token_cache_write >= 0);

ALTER TABLE llm_usage_metrics ADD COLUMN IF NOT EXISTS token_reasoning BIGINT CHECK (token_reasoning >= 0);

ALTER TABLE llm_usage_metrics ADD COLUMN IF NOT EXISTS price_source VARCHAR(255);

CREATE VIEW llm_usage_hourly AS
SELECT date_bin(INTERVAL '1 hour', time, TIMESTAMPTZ '2000-01-03 00:00:00+00') AS bucket,
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
GROUP BY 1, model_id, provider;

CREATE VIEW llm_usage_daily AS
SELECT date_bin(INTERVAL '1 day', time, TIMESTAMPTZ '2000-01-03 00:00:00+00') AS bucket,
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
GROUP BY 1, model_id, provider;
