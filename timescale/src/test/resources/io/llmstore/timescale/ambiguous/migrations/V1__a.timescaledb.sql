-- test-only: fits a timescaledb database with pgvector as much as V1__a.vector.sql does
SELECT 1;
