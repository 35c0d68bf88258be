package io.llmstore.core.session;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** User sessions with a time to live. An absent or expired session is empty, never an exception. */
public interface SessionStore {
    /** Stores {@code data} (serialized as JSON) under {@code sessionId} for {@code ttl}, replacing any previous one. */
    void create(String sessionId, Map<String, Object> data, Duration ttl);

    /** The session's data, empty when absent or expired. */
    Optional<Map<String, Object>> get(String sessionId);

    /** Extends the session's life to {@code ttl} from now; false when it is absent or expired. */
    boolean touch(String sessionId, Duration ttl);

    /** Removes the session; false when there was none. */
    boolean delete(String sessionId);
}
