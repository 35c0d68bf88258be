-- Conversations feature, version 1: the guide's conversations (one row per message, numbered per session), the
-- per-session counter row that numbers them race-free, and user_profiles with the token quota.

-- One row per session: its owner, the last sequence given (appends lock this row for their transaction, so two
-- instances appending to one session take turns and the numbers have no gap and no repeat), and running totals.
CREATE TABLE IF NOT EXISTS conversation_sessions (
    session_id      TEXT        PRIMARY KEY,
    user_id         TEXT        NOT NULL,
    last_sequence   BIGINT      NOT NULL CHECK (last_sequence >= 0),
    tokens_used     BIGINT      NOT NULL DEFAULT 0,
    cost_usd        NUMERIC(28,18) NOT NULL DEFAULT 0,
    started_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_message_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS idx_conversation_sessions_user ON conversation_sessions (user_id, last_message_at DESC);

CREATE TABLE IF NOT EXISTS conversations (
    user_id         TEXT        NOT NULL,
    session_id      TEXT        NOT NULL,
    sequence        BIGINT      NOT NULL CHECK (sequence >= 1),
    message_role    TEXT        NOT NULL CHECK (message_role IN ('system', 'user', 'assistant', 'tool')),
    message_content TEXT        NOT NULL CHECK (message_content <> ''),
    "timestamp"     TIMESTAMPTZ NOT NULL DEFAULT now(),
    tokens_used     INTEGER     NOT NULL DEFAULT 0 CHECK (tokens_used >= 0),
    cost_usd        NUMERIC(28,18) CHECK (cost_usd >= 0),
    PRIMARY KEY (session_id, sequence)
);
-- The guide's indexes: a user's messages by time, a session's messages by time (the primary key serves order).
CREATE INDEX IF NOT EXISTS idx_conversations_user_time ON conversations (user_id, "timestamp" DESC);
CREATE INDEX IF NOT EXISTS idx_conversations_session_time ON conversations (session_id, "timestamp");

CREATE TABLE IF NOT EXISTS user_profiles (
    user_id            TEXT        PRIMARY KEY,
    preferences        JSONB       NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(preferences) = 'object'),
    conversation_style TEXT,
    preferred_model    TEXT,
    token_quota        BIGINT      CHECK (token_quota >= 0),
    tokens_used        BIGINT      NOT NULL DEFAULT 0 CHECK (tokens_used >= 0),
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at         TIMESTAMPTZ NOT NULL DEFAULT now()
);
