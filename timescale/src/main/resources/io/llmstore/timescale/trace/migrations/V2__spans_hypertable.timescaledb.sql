-- llmstore trace schema, version 2 (TimescaleDB only): partition llm_spans by start_time (one chunk a day).
-- The unique key (trace_id, span_id, start_time) holds the partitioning column, as TimescaleDB requires.

CREATE EXTENSION IF NOT EXISTS timescaledb WITH SCHEMA public;

SELECT create_hypertable('llm_spans', 'start_time',
    chunk_time_interval => INTERVAL '1 day',
    create_default_indexes => FALSE,
    if_not_exists => TRUE,
    migrate_data => TRUE);
