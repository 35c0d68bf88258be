-- llmstore usage schema, version 5 (PostgreSQL and TimescaleDB): what a streamed call's row says beyond its tokens.
-- * usage_source: 'reported' (the provider's counts), 'estimated' (an aborted or usage-less stream: see
--   docs/streaming.md for the counting rule) or 'cache_hit' (answered from the response cache); NULL = not said,
--   which is what every row stored before this version says.
-- * time_to_first_token_ms: from the start of a streamed call to its first output chunk; NULL = not streamed.
-- * finish_reason: the provider's finish reason verbatim, or how an aborted stream ended (cancelled, timeout, ...).
-- * cost_saved_usd: what a cache hit saved (the cost the answered call would have had), exact like cost_usd.
-- Nullable columns without defaults: adding them rewrites nothing, on a plain table or a hypertable. The rollups do
-- not read them, so they stay as they are. One transaction: all of it or nothing.

ALTER TABLE llm_usage_metrics ADD COLUMN IF NOT EXISTS usage_source VARCHAR(16)
    CHECK (usage_source IN ('reported', 'estimated', 'cache_hit'));

ALTER TABLE llm_usage_metrics ADD COLUMN IF NOT EXISTS time_to_first_token_ms DOUBLE PRECISION
    CHECK (time_to_first_token_ms >= 0);

ALTER TABLE llm_usage_metrics ADD COLUMN IF NOT EXISTS finish_reason VARCHAR(255);

ALTER TABLE llm_usage_metrics ADD COLUMN IF NOT EXISTS cost_saved_usd NUMERIC(28,18) CHECK (cost_saved_usd >= 0);
