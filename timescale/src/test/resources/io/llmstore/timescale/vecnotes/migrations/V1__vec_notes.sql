-- Test-only feature "vecnotes", version 1 without pgvector: the embedding as a float array.
CREATE TABLE IF NOT EXISTS test_vec_notes (id BIGINT PRIMARY KEY, embedding DOUBLE PRECISION[] NOT NULL);
