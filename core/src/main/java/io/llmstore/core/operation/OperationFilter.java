package io.llmstore.core.operation;

import java.time.Instant;
import java.util.UUID;

/**
 * Which operations a fetch or an analysis covers: the guide's filters, each optional, all combined with AND. Start
 * from {@link #all()} or {@link #between}, then narrow with the {@code with...} methods (each returns a copy).
 *
 * @param from      timestamps at or after it, or null
 * @param to        timestamps before it (exclusive), or null
 * @param provider  exactly this provider, or null
 * @param model     exactly this model, or null
 * @param minTokens input plus output tokens at least this, or null
 * @param sessionId of this session, or null
 * @param workspace of sessions in this workspace, or null
 * @param agentId   of sessions of this agent, or null
 * @param status    exactly this status, or null
 */
public record OperationFilter(Instant from, Instant to, String provider, String model, Long minTokens,
                              UUID sessionId, String workspace, String agentId, String status) {
    public OperationFilter {
        if (from != null && to != null && !from.isBefore(to)) {
            throw new IllegalArgumentException("from must be before to, was from=" + from + " to=" + to);
        }
        if (minTokens != null && minTokens < 0) {
            throw new IllegalArgumentException("minTokens must be >= 0, was " + minTokens);
        }
    }

    /** Every operation. */
    public static OperationFilter all() {
        return new OperationFilter(null, null, null, null, null, null, null, null, null);
    }

    /** Operations with {@code from <= timestamp < to}. */
    public static OperationFilter between(Instant from, Instant to) {
        return all().withFrom(from).withTo(to);
    }

    public OperationFilter withFrom(Instant from) {
        return new OperationFilter(from, to, provider, model, minTokens, sessionId, workspace, agentId, status);
    }

    public OperationFilter withTo(Instant to) {
        return new OperationFilter(from, to, provider, model, minTokens, sessionId, workspace, agentId, status);
    }

    public OperationFilter withProvider(String provider) {
        return new OperationFilter(from, to, provider, model, minTokens, sessionId, workspace, agentId, status);
    }

    public OperationFilter withModel(String model) {
        return new OperationFilter(from, to, provider, model, minTokens, sessionId, workspace, agentId, status);
    }

    public OperationFilter withMinTokens(long minTokens) {
        return new OperationFilter(from, to, provider, model, minTokens, sessionId, workspace, agentId, status);
    }

    public OperationFilter withSession(UUID sessionId) {
        return new OperationFilter(from, to, provider, model, minTokens, sessionId, workspace, agentId, status);
    }

    public OperationFilter withWorkspace(String workspace) {
        return new OperationFilter(from, to, provider, model, minTokens, sessionId, workspace, agentId, status);
    }

    public OperationFilter withAgent(String agentId) {
        return new OperationFilter(from, to, provider, model, minTokens, sessionId, workspace, agentId, status);
    }

    public OperationFilter withStatus(String status) {
        return new OperationFilter(from, to, provider, model, minTokens, sessionId, workspace, agentId, status);
    }

    /** Whether a filter on the session's columns (workspace, agent) needs {@code llm_sessions} joined. */
    public boolean needsSessions() {
        return workspace != null || agentId != null;
    }

    /** Whether {@code o} of a session in {@code workspace} by {@code agent} passes; the rule the SQL follows. */
    public boolean test(Operation o, String workspace, String agent) {
        return (from == null || !o.timestamp().isBefore(from))
                && (to == null || o.timestamp().isBefore(to))
                && (provider == null || provider.equals(o.provider()))
                && (model == null || model.equals(o.model()))
                && (minTokens == null || o.totalTokens() >= minTokens)
                && (sessionId == null || sessionId.equals(o.sessionId()))
                && (this.workspace == null || this.workspace.equals(workspace))
                && (agentId == null || agentId.equals(agent))
                && (status == null || status.equals(o.status()));
    }
}
