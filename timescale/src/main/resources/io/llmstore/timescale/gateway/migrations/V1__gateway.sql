-- The gateway's repositories: providers, models (names and aliases in one namespace), dated prices, API keys (hash
-- only), key metadata, per-request usage records and monthly summaries. The same tables on PostgreSQL and
-- TimescaleDB: records are read per key and range through one index, and summaries are refreshed per key and month.
CREATE TABLE gateway_providers (
    id               BIGSERIAL PRIMARY KEY,
    name             TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    litellm_provider TEXT NOT NULL CHECK (length(litellm_provider) BETWEEN 1 AND 200),
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX gateway_providers_lower_name ON gateway_providers (lower(name));

CREATE TABLE gateway_models (
    id             BIGSERIAL PRIMARY KEY,
    provider_id    BIGINT NOT NULL REFERENCES gateway_providers (id),
    name           TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    context_window INTEGER CHECK (context_window > 0),
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- A model's name and its aliases: one row each, unique ignoring case across every model.
CREATE TABLE gateway_model_names (
    lower_name TEXT PRIMARY KEY,
    model_id   BIGINT NOT NULL REFERENCES gateway_models (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    is_alias   BOOLEAN NOT NULL
);
CREATE INDEX gateway_model_names_model ON gateway_model_names (model_id);

CREATE TABLE gateway_model_prices (
    id              BIGSERIAL PRIMARY KEY,
    model_id        BIGINT NOT NULL REFERENCES gateway_models (id) ON DELETE CASCADE,
    prices          JSONB NOT NULL,
    effective_from  TIMESTAMPTZ,
    effective_until TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (effective_from IS NULL OR effective_until IS NULL OR effective_from < effective_until)
);

CREATE TABLE gateway_api_keys (
    id                    BIGSERIAL PRIMARY KEY,
    key_hash              TEXT NOT NULL UNIQUE CHECK (key_hash ~ '^[0-9a-f]{64}$'),
    name                  TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    enabled               BOOLEAN NOT NULL DEFAULT true,
    created_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at            TIMESTAMPTZ,
    revoked_at            TIMESTAMPTZ,
    allowed_models        TEXT[] NOT NULL DEFAULT '{}',
    rate_limit_per_minute INTEGER CHECK (rate_limit_per_minute > 0),
    monthly_budget_usd    NUMERIC(28, 18) CHECK (monthly_budget_usd > 0)
);

CREATE TABLE gateway_api_key_metadata (
    api_key_id BIGINT NOT NULL REFERENCES gateway_api_keys (id) ON DELETE CASCADE,
    category   TEXT NOT NULL,
    name       TEXT NOT NULL,
    value      TEXT NOT NULL,
    PRIMARY KEY (api_key_id, category, name)
);

-- request_id is the caller's id of the request: storing a record again (a replayed batch) stores nothing.
CREATE TABLE gateway_usage_records (
    id                BIGSERIAL PRIMARY KEY,
    request_id        UUID NOT NULL UNIQUE,
    api_key_id        BIGINT NOT NULL REFERENCES gateway_api_keys (id),
    model_id          BIGINT NOT NULL REFERENCES gateway_models (id),
    provider_id       BIGINT NOT NULL REFERENCES gateway_providers (id),
    request_timestamp TIMESTAMPTZ NOT NULL,
    prompt_tokens     BIGINT NOT NULL CHECK (prompt_tokens >= 0),
    completion_tokens BIGINT NOT NULL CHECK (completion_tokens >= 0),
    total_tokens      BIGINT NOT NULL CHECK (total_tokens >= 0),
    cost_usd          NUMERIC(28, 18) NOT NULL CHECK (cost_usd >= 0),
    request_metadata  JSONB,
    response_metadata JSONB,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX gateway_usage_records_key_time ON gateway_usage_records (api_key_id, request_timestamp);

CREATE TABLE gateway_monthly_summaries (
    api_key_id        BIGINT NOT NULL REFERENCES gateway_api_keys (id),
    year              INTEGER NOT NULL,
    month             INTEGER NOT NULL CHECK (month BETWEEN 1 AND 12),
    request_count     BIGINT NOT NULL,
    prompt_tokens     NUMERIC NOT NULL,
    completion_tokens NUMERIC NOT NULL,
    total_tokens      NUMERIC NOT NULL,
    cost_usd          NUMERIC NOT NULL,
    refreshed_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (api_key_id, year, month)
);
