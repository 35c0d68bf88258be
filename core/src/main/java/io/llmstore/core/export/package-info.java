/**
 * Writing query results out: {@link io.llmstore.core.export.Csv} (RFC 4180 text) and
 * {@link io.llmstore.core.export.Parquet} (a columnar file Polars, pandas and DuckDB read directly; needs the optional
 * {@code parquet-hadoop} dependency). Both take any list of result records, whatever feature returned it.
 */
package io.llmstore.core.export;
