/**
 * Not API: JDBC plumbing, the schema migrator, error translation and server probing of llmstore-timescale.
 *
 * <p>Schema per feature: each feature of the adapter describes its schema with a
 * {@link io.llmstore.timescale.internal.FeatureSchema} (name, order, versioned scripts per flavor, an optional
 * pgvector variant, a post-migrate hook), registered in the fixed list
 * {@link io.llmstore.timescale.internal.FeatureSchemas#standard}. {@link io.llmstore.timescale.internal.SchemaMigrator}
 * migrates them under one advisory lock in ascending {@code order()}, usage first (100), recording every script in
 * {@code llmstore_schema_history} under its feature. How a new feature adds its scripts, the history table and the
 * upgrade rules: {@code docs/schema.md}.
 */
package io.llmstore.timescale.internal;
