/**
 * The operation store on PostgreSQL and TimescaleDB: {@link io.llmstore.timescale.operation.TimescaleOperations}
 * (served as {@code pool.operations()}), its schema {@link io.llmstore.timescale.operation.OperationFeatureSchema}.
 */
package io.llmstore.timescale.operation;
