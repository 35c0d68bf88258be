/**
 * The operation store ({@code pool.operations()}): {@link io.llmstore.core.operation.Operations} records
 * {@link io.llmstore.core.operation.LlmSession}s, {@link io.llmstore.core.operation.Operation}s and their
 * {@link io.llmstore.core.operation.OperationMessage}s, fetches them by
 * {@link io.llmstore.core.operation.OperationFilter} and analyses cost, sessions and errors. Reference:
 * docs/operations.md.
 */
package io.llmstore.core.operation;
