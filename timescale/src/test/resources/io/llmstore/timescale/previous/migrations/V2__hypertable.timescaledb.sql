-- llmstore usage schema, version 2 (TimescaleDB only): partition llm_usage_metrics by time.
-- The extension lives in schema public (on the search_path llmstore sets). Creating it needs the right to
-- create extensions; a DBA may create it beforehand instead.

CREATE EXTENSION IF NOT EXISTS timescaledb WITH SCHEMA public;

SELECT create_hypertable('llm_usage_metrics', 'time',
    chunk_time_interval => INTERVAL '1 day',
    create_default_indexes => FALSE,
    if_not_exists => TRUE,
    migrate_data => TRUE);
