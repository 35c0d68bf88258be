-- Embedding feature, version 1 (needs pgvector; without it no version applies and pool.embeddings() says so): the
-- guide's document_embeddings. The column's dimension and the vector index follow settings (EMBEDDING_DIMENSIONS,
-- EMBEDDING_INDEX, EMBEDDING_DISTANCE), so EmbeddingFeatureSchema.afterMigrate sets them, not this script.
CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA public;

CREATE TABLE IF NOT EXISTS document_embeddings (
    document_id TEXT        NOT NULL,
    chunk_index INTEGER     NOT NULL CHECK (chunk_index >= 0),
    chunk_text  TEXT        NOT NULL,
    embedding   vector      NOT NULL,
    metadata    JSONB       NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(metadata) = 'object'),
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (document_id, chunk_index)
);
-- Metadata filters are containment (metadata @> '{"lang": "en"}').
CREATE INDEX IF NOT EXISTS idx_document_embeddings_metadata ON document_embeddings USING gin (metadata jsonb_path_ops);
