/**
 * The AiCore SQL integration guide's snippets, one program each, on {@code pool.operations()}: store a session and
 * an operation with its messages ({@link io.llmstore.examples.aicore.StoreAnOperation}), asynchronously
 * ({@link io.llmstore.examples.aicore.StoreOperationsAsync}), the filtered query
 * ({@link io.llmstore.examples.aicore.QueryOperations}), the cost, session and error analyses as CSV
 * ({@link io.llmstore.examples.aicore.AnalyseOperations}) and the DataFrame export
 * ({@link io.llmstore.examples.aicore.ExportForDataFrames}).
 */
package io.llmstore.examples.aicore;
