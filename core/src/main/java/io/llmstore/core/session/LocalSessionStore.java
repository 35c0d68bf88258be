package io.llmstore.core.session;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import io.llmstore.core.internal.ClockCaches;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An in-process session store, LOCAL TO ONE JVM: another application instance does not see these sessions. Used
 * when Redis is not configured. Sessions are held as JSON bytes (so a caller's later changes to its map do not leak
 * in, and data round-trips exactly as through Redis), bounded in number, each expiring after its own TTL measured on
 * the injected {@link Clock}. Thread-safe.
 */
public final class LocalSessionStore implements SessionStore {
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    private record Entry(byte[] json, long ttlNanos) {
    }

    private final ObjectMapper mapper = new ObjectMapper();
    private final Cache<String, Entry> sessions;

    /**
     * @param maximumSize most sessions held (least recently used evicted first)
     * @param clock       time source for expiry
     */
    public LocalSessionStore(long maximumSize, Clock clock) {
        Objects.requireNonNull(clock, "clock");
        this.sessions = ClockCaches.perEntryTtl(maximumSize, clock, Entry::ttlNanos);
    }

    @Override
    public void create(String sessionId, Map<String, Object> data, Duration ttl) {
        SessionStore.checkId(sessionId);
        SessionStore.checkTtl(ttl);
        Objects.requireNonNull(data, "data");
        try {
            sessions.put(sessionId, new Entry(mapper.writeValueAsBytes(data), ttl.toNanos()));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("session data must serialize as JSON: " + e.getOriginalMessage(), e);
        }
    }

    @Override
    public Optional<Map<String, Object>> get(String sessionId) {
        SessionStore.checkId(sessionId);
        Entry entry = sessions.getIfPresent(sessionId);
        if (entry == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(mapper.readValue(entry.json(), MAP));
        } catch (IOException e) {
            throw new UncheckedIOException("session JSON written by this store failed to read back", e);
        }
    }

    @Override
    public boolean touch(String sessionId, Duration ttl) {
        SessionStore.checkId(sessionId);
        SessionStore.checkTtl(ttl);
        // computeIfPresent re-creates the entry, so its expiry restarts at ttl from now (expireAfterUpdate).
        return sessions.asMap().computeIfPresent(sessionId, (k, e) -> new Entry(e.json(), ttl.toNanos())) != null;
    }

    @Override
    public boolean delete(String sessionId) {
        SessionStore.checkId(sessionId);
        return sessions.asMap().remove(sessionId) != null;
    }

    @Override
    public String toString() {
        return "LocalSessionStore{sessions=" + sessions.estimatedSize() + ", local to this JVM}";
    }
}
