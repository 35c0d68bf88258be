/**
 * Not API: JDBC plumbing, the schema migrator, error translation and server probing of llmstore-timescale.
 */
package io.llmstore.timescale.internal;
