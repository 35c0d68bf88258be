/** Not API: JDBC plumbing, COPY encoding, migration files and error translation of llmstore-timescale. */
package io.llmstore.timescale.internal;
