-- llmstore trace schema, version 1 (PostgreSQL and TimescaleDB): traces and their spans.
-- llmstore runs this with search_path = <DB_SCHEMA>, public. To apply by hand:
--   psql -v ON_ERROR_STOP=1 -c 'SET search_path = myschema, public' -f V1__traces_and_spans.sql
--
-- A trace row is the trace's identity only: its UUID (name-based on the application's string id, so every writer
-- computes the same one) and that string. It is written once, with ON CONFLICT DO NOTHING, in the transaction of
-- the first batch holding one of its spans; it is never updated. Start, end, tokens and cost are computed from the
-- spans when asked, so a late span counts as soon as it is stored and nothing has to be kept in step.
--
-- Idempotency: a span is identified by (trace_id, span_id, start_time). On a TimescaleDB hypertable every unique
-- index must contain the partitioning column, so start_time is part of the key: a replay of the same span (llmstore
-- replays rows unchanged) is skipped; the same span id sent again with another start time is a second span.
-- No foreign key from spans to traces: both are written in one transaction, and a hypertable COPY pays per row for one.

CREATE TABLE IF NOT EXISTS llm_traces (
    trace_id        UUID          PRIMARY KEY,
    external_id     VARCHAR(255)  NOT NULL,
    created_at      TIMESTAMPTZ   NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS llm_spans (
    start_time       TIMESTAMPTZ   NOT NULL,
    end_time         TIMESTAMPTZ   NOT NULL,
    trace_id         UUID          NOT NULL,
    span_id          VARCHAR(255)  NOT NULL,
    parent_span_id   VARCHAR(255),
    name             VARCHAR(255)  NOT NULL,
    operation        VARCHAR(64)   NOT NULL,
    provider         VARCHAR(255),
    request_model    VARCHAR(255),
    response_model   VARCHAR(255),
    response_id      VARCHAR(255),
    input            TEXT,
    output           TEXT,
    finish_reasons   JSONB,
    token_input      BIGINT        CHECK (token_input >= 0),
    token_output     BIGINT        CHECK (token_output >= 0),
    token_cache_read BIGINT        CHECK (token_cache_read >= 0),
    token_cache_write BIGINT       CHECK (token_cache_write >= 0),
    token_reasoning  BIGINT        CHECK (token_reasoning >= 0),
    cost_usd         NUMERIC       CHECK (cost_usd >= 0),
    price_source     VARCHAR(255),
    status           VARCHAR(8)    NOT NULL CHECK (status IN ('ok', 'error')),
    status_message   TEXT,
    attributes       JSONB,
    conversation_id  VARCHAR(255),
    user_id          VARCHAR(255),
    CHECK (end_time >= start_time),
    CONSTRAINT llm_spans_span_uq UNIQUE (trace_id, span_id, start_time)
);

-- The trace tree (trace_id = ?) is served by the unique index. Windows, slowest spans:
CREATE INDEX IF NOT EXISTS llm_spans_start_idx ON llm_spans (start_time DESC);

CREATE INDEX IF NOT EXISTS llm_spans_error_idx ON llm_spans (start_time DESC) WHERE status = 'error';

CREATE INDEX IF NOT EXISTS llm_spans_user_idx ON llm_spans (user_id, start_time) WHERE user_id IS NOT NULL;

CREATE INDEX IF NOT EXISTS llm_spans_conversation_idx ON llm_spans (conversation_id, start_time)
    WHERE conversation_id IS NOT NULL;
