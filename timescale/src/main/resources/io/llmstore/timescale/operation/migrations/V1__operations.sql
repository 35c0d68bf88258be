-- llmstore operation schema, version 1 (PostgreSQL and TimescaleDB alike): the AiCore guide's sessions, operations
-- and messages. llmstore runs this with search_path = <DB_SCHEMA>, public. To apply by hand:
--   psql -v ON_ERROR_STOP=1 -c 'SET search_path = myschema, public' -f V1__operations.sql
--
-- llm_operations stays a plain table on TimescaleDB too (docs/operations.md says why): measured on 2.28.3, a
-- hypertable refuses a unique key without its time column ("cannot create a unique index without the column
-- "timestamp""), so operation_id could not be the primary key, a replay with another timestamp would be stored
-- twice, and llm_messages could reference an operation only through (operation_id, timestamp).

CREATE TABLE IF NOT EXISTS llm_sessions (
    session_id  UUID        PRIMARY KEY,
    workspace   TEXT        NOT NULL,
    agent_id    TEXT        NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    metadata    JSONB       NOT NULL DEFAULT '{}'::jsonb
);

CREATE TABLE IF NOT EXISTS llm_operations (
    operation_id   UUID          PRIMARY KEY,
    session_id     UUID          NOT NULL REFERENCES llm_sessions (session_id),
    action_id      TEXT,
    "timestamp"    TIMESTAMPTZ   NOT NULL,
    operation_type TEXT          NOT NULL,
    provider       TEXT          NOT NULL,
    model          TEXT          NOT NULL,
    input_tokens   BIGINT        NOT NULL CHECK (input_tokens >= 0),
    output_tokens  BIGINT        NOT NULL CHECK (output_tokens >= 0),
    latency_ms     BIGINT        CHECK (latency_ms >= 0),
    cost           NUMERIC(28,18) CHECK (cost >= 0),
    status         TEXT          NOT NULL,
    error_message  TEXT,
    extras         JSONB         NOT NULL DEFAULT '{}'::jsonb
);

-- The guide's indexes (timestamp, provider); keyset pagination walks ("timestamp", operation_id).
CREATE INDEX IF NOT EXISTS llm_operations_timestamp_idx ON llm_operations ("timestamp", operation_id);
CREATE INDEX IF NOT EXISTS llm_operations_provider_idx ON llm_operations (provider, "timestamp");
CREATE INDEX IF NOT EXISTS llm_operations_session_idx ON llm_operations (session_id);

CREATE TABLE IF NOT EXISTS llm_messages (
    message_id      UUID    PRIMARY KEY,
    operation_id    UUID    NOT NULL REFERENCES llm_operations (operation_id) ON DELETE CASCADE,
    role            TEXT    NOT NULL,
    content         TEXT    NOT NULL,
    sequence_number INTEGER NOT NULL CHECK (sequence_number >= 0),
    CONSTRAINT llm_messages_sequence_uq UNIQUE (operation_id, sequence_number)
);
