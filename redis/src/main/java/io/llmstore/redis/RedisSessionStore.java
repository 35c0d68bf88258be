package io.llmstore.redis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.SetArgs;
import io.llmstore.core.error.StorageException;
import io.llmstore.core.session.SessionStore;
import io.llmstore.redis.internal.RedisConnector;
import io.llmstore.redis.internal.RedisErrors;
import io.llmstore.redis.internal.RedisKeys;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Sessions in Redis, shared by every application instance: {@code pool.sessions()}. One key per session,
 * {@code <REDIS_KEY_PREFIX>session:<id>} (the id verbatim), holding the data as JSON with a TTL; {@link #touch} is one
 * {@code PEXPIRE}. A Redis failure throws a {@link StorageException} (sessions are data, so this does not fail open).
 * Thread-safe; the backend owns the connection.
 */
public final class RedisSessionStore implements SessionStore {
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    private final RedisConnector connector;
    private final String prefix;
    private final ObjectMapper mapper = new ObjectMapper();

    RedisSessionStore(RedisConnector connector, String prefix) {
        this.connector = connector;
        this.prefix = prefix;
    }

    @Override
    public void create(String sessionId, Map<String, Object> data, Duration ttl) {
        SessionStore.checkId(sessionId);
        SessionStore.checkTtl(ttl);
        Objects.requireNonNull(data, "data");
        byte[] json;
        try {
            json = mapper.writeValueAsBytes(data);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("session data must serialize as JSON: " + e.getOriginalMessage(), e);
        }
        call("session create", () -> connector.connection().sync().set(key(sessionId), json,
                SetArgs.Builder.px(ttl.toMillis())));
    }

    @Override
    public Optional<Map<String, Object>> get(String sessionId) {
        SessionStore.checkId(sessionId);
        byte[] json = call("session read", () -> connector.connection().sync().get(key(sessionId)));
        if (json == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(mapper.readValue(json, MAP));
        } catch (IOException e) {
            throw new StorageException("session '" + sessionId + "' holds data that is not a JSON object", e, false);
        }
    }

    @Override
    public boolean touch(String sessionId, Duration ttl) {
        SessionStore.checkId(sessionId);
        SessionStore.checkTtl(ttl);
        return call("session touch", () -> connector.connection().sync().pexpire(key(sessionId), ttl.toMillis()));
    }

    @Override
    public boolean delete(String sessionId) {
        SessionStore.checkId(sessionId);
        return call("session delete", () -> connector.connection().sync().del(key(sessionId))) > 0;
    }

    private byte[] key(String sessionId) {
        return RedisKeys.bytes(RedisKeys.session(prefix, sessionId));
    }

    private static <T> T call(String operation, Supplier<T> action) {
        try {
            return action.get();
        } catch (RuntimeException e) {
            throw RedisErrors.translate(operation, e);
        }
    }

    @Override
    public String toString() {
        return "RedisSessionStore{prefix='" + prefix + "'}";
    }
}
