package io.llmstore.core.operation;

import java.math.BigDecimal;

/**
 * One line of the session analysis: the operations of one agent's sessions in one workspace.
 *
 * @param workspace      the sessions' workspace
 * @param agentId        the sessions' agent
 * @param sessionCount   how many of its sessions had operations in the filter
 * @param operationCount how many operations
 * @param totalCost      the exact sum of their costs in USD (unpriced operations count 0)
 */
public record SessionSummary(String workspace, String agentId, long sessionCount, long operationCount,
                             BigDecimal totalCost) {
}
