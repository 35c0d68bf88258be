/**
 * The gateway guide's snippets as programs: {@link io.llmstore.examples.gateway.ApiKeyRepository},
 * {@link io.llmstore.examples.gateway.ModelRepository}, {@link io.llmstore.examples.gateway.UsageRecordsAndSummaries},
 * {@link io.llmstore.examples.gateway.BudgetedCall}, {@link io.llmstore.examples.gateway.GatewayTransaction}.
 */
package io.llmstore.examples.gateway;
