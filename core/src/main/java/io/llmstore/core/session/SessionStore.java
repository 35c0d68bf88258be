package io.llmstore.core.session;

import io.llmstore.core.spi.BackendDescriptor;
import io.llmstore.core.spi.Feature;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * User sessions with a time to live, stored as JSON. An absent or expired session is empty, never an exception.
 *
 * <p>Session ids are used verbatim (spaces, newlines, any Unicode): 1..{@value #MAX_ID_LENGTH} characters, not
 * blank. Data is a JSON object: maps, lists, strings, numbers, booleans and nulls round-trip (numbers come back as
 * Jackson reads them: {@code Integer}, {@code Long}, {@code Double}, ...). Unlike the response cache, a backend
 * failure throws a {@link io.llmstore.core.error.StorageException}: a session is data, not an optimisation.
 * Thread-safe.
 */
public interface SessionStore {
    /** The feature's descriptor: Redis, else the in-process fallback. */
    Feature<SessionStore> FEATURE = Feature.of("the session store", SessionStore.class,
            BackendDescriptor.REDIS);

    /** Longest session id, in characters. */
    int MAX_ID_LENGTH = 512;

    /**
     * Stores {@code data} (serialized as JSON) under {@code sessionId} for {@code ttl}, replacing any previous one.
     *
     * @param ttl {@code >= 1ms}
     * @throws IllegalArgumentException for an invalid id or TTL, or data that cannot be serialized as JSON
     */
    void create(String sessionId, Map<String, Object> data, Duration ttl);

    /** The session's data, empty when absent or expired. */
    Optional<Map<String, Object>> get(String sessionId);

    /** Extends the session's life to {@code ttl} from now; false when it is absent or expired. */
    boolean touch(String sessionId, Duration ttl);

    /** Removes the session; false when there was none. */
    boolean delete(String sessionId);

    /**
     * Checks a session id as every implementation does.
     *
     * @throws IllegalArgumentException when null, blank or longer than {@link #MAX_ID_LENGTH}
     */
    static String checkId(String sessionId) {
        if (sessionId == null || sessionId.isBlank() || sessionId.length() > MAX_ID_LENGTH) {
            throw new IllegalArgumentException("sessionId must be 1.." + MAX_ID_LENGTH + " characters and not blank, was "
                    + (sessionId == null ? "null" : sessionId.length() + " characters"));
        }
        // Ids become UTF-8 keys: a lone surrogate would become '?' and name another session.
        io.llmstore.core.cache.PromptKeys.requireWellFormed("sessionId", sessionId);
        return sessionId;
    }

    /** Checks a session TTL: at least one millisecond. */
    static Duration checkTtl(Duration ttl) {
        if (ttl == null || ttl.toMillis() < 1) {
            throw new IllegalArgumentException("ttl must be >= 1ms, was " + ttl);
        }
        return ttl;
    }
}
