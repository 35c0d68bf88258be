package io.llmstore.core.operation;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * A row of {@code llm_sessions}: one agent's session in a workspace, which operations belong to.
 *
 * @param sessionId the session's id, the primary key
 * @param workspace the workspace the session ran in, not blank
 * @param agentId   the agent that ran it, not blank
 * @param createdAt when the session started, kept to the microsecond
 * @param metadata  free-form JSON object (values Jackson can write), never null; empty by default
 */
public record LlmSession(UUID sessionId, String workspace, String agentId, Instant createdAt,
                         Map<String, Object> metadata) {
    public LlmSession {
        Objects.requireNonNull(sessionId, "sessionId");
        Texts.requireNotBlank("workspace", workspace);
        Texts.requireNotBlank("agentId", agentId);
        createdAt = Objects.requireNonNull(createdAt, "createdAt").truncatedTo(ChronoUnit.MICROS);
        metadata = Texts.jsonObject("metadata", metadata);
    }

    /** A session without metadata. */
    public static LlmSession of(UUID sessionId, String workspace, String agentId, Instant createdAt) {
        return new LlmSession(sessionId, workspace, agentId, createdAt, Map.of());
    }
}
