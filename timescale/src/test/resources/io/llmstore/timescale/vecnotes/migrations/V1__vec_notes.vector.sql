-- Test-only feature "vecnotes", version 1 with pgvector (created in schema public, on the search_path).
CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA public;

CREATE TABLE IF NOT EXISTS test_vec_notes (id BIGINT PRIMARY KEY, embedding vector(3) NOT NULL);
