-- llmstore usage schema, version 1 (PostgreSQL and TimescaleDB): the raw usage table and its indexes.
-- llmstore runs this with search_path = <DB_SCHEMA>, public. To apply by hand:
--   psql -v ON_ERROR_STOP=1 -c 'SET search_path = myschema, public' -f V1__usage_metrics.sql
--
-- Idempotency: a row is identified by (event_id, time). On a TimescaleDB hypertable every unique index must
-- contain the partitioning column, so the unique key cannot be event_id alone: a replay of the same event with
-- the same time is skipped (INSERT ... ON CONFLICT DO NOTHING), but the same event_id sent again with a different
-- time would be stored twice. llmstore replays rows unchanged, so its retries and Kafka redeliveries are exact.

CREATE TABLE IF NOT EXISTS llm_usage_metrics (
    time            TIMESTAMPTZ      NOT NULL,
    model_id        VARCHAR(255)     NOT NULL,
    provider        VARCHAR(255)     NOT NULL,
    request_count   BIGINT           NOT NULL DEFAULT 1 CHECK (request_count >= 0),
    token_input     BIGINT           NOT NULL DEFAULT 0 CHECK (token_input >= 0),
    token_output    BIGINT           NOT NULL DEFAULT 0 CHECK (token_output >= 0),
    token_total     BIGINT           NOT NULL DEFAULT 0 CHECK (token_total >= 0),
    cost_usd        NUMERIC(10,6)    CHECK (cost_usd >= 0),
    avg_latency_ms  DOUBLE PRECISION NOT NULL DEFAULT 0 CHECK (avg_latency_ms >= 0),
    error_count     BIGINT           NOT NULL DEFAULT 0 CHECK (error_count >= 0),
    success_count   BIGINT           NOT NULL DEFAULT 0 CHECK (success_count >= 0),
    user_id         VARCHAR(255),
    application_id  VARCHAR(255),
    environment     VARCHAR(255),
    metadata        JSONB,
    event_id        UUID             NOT NULL,
    CONSTRAINT llm_usage_metrics_event_uq UNIQUE (event_id, time)
);

-- Time windows and keyset pagination over (time, event_id); scanned backwards for "latest first".
CREATE INDEX IF NOT EXISTS llm_usage_metrics_time_idx ON llm_usage_metrics (time, event_id);

-- Per-model, per-provider and per-user reports over a window.
CREATE INDEX IF NOT EXISTS llm_usage_metrics_model_time_idx ON llm_usage_metrics (model_id, time DESC);

CREATE INDEX IF NOT EXISTS llm_usage_metrics_provider_time_idx ON llm_usage_metrics (provider, time DESC);

CREATE INDEX IF NOT EXISTS llm_usage_metrics_user_time_idx ON llm_usage_metrics (user_id, time DESC)
    WHERE user_id IS NOT NULL;
