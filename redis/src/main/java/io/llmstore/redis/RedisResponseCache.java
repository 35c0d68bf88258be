package io.llmstore.redis;

import io.lettuce.core.SetArgs;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisCommands;
import io.llmstore.core.cache.PromptKeys;
import io.llmstore.core.cache.ResponseCache;
import io.llmstore.core.error.StorageException;
import io.llmstore.core.stats.CacheStats;
import io.llmstore.redis.internal.LuaScript;
import io.llmstore.redis.internal.RedisConnector;
import io.llmstore.redis.internal.RedisErrors;
import io.llmstore.redis.internal.RedisKeys;
import io.llmstore.redis.internal.WarnGate;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The LLM response cache in Redis, shared by every application instance: {@code pool.cache()}.
 *
 * <p>Keys: {@code <REDIS_KEY_PREFIX>llm:response:<model>:<sha256(prompt) hex>}, values the response's raw bytes
 * (a String's UTF-8, so either form reads the other) with a TTL ({@code SET ... PX}). {@link #getOrComputeBytes}
 * (and {@link #getOrCompute} over it) is single-flight across instances: the caller that wins a
 * short lock ({@code SET <prefix>llm:lock:<model>:<sha> <random token> NX PX REDIS_CACHE_LOCK_TTL}, released by a
 * token-checked Lua script) calls the LLM; the others poll for its answer up to {@code REDIS_CACHE_LOCK_WAIT}, then
 * call it themselves. Callers in one JVM also share one in-flight computation, so one instance polls once per key.
 * Every command touches one key, so it runs unchanged on Redis Cluster.
 *
 * <p>Fails open: a Redis failure or timeout ({@code REDIS_COMMAND_TIMEOUT}) is a miss, a dropped write or an unlocked
 * computation, counted in {@link #stats()} errors and logged at WARN at most every 10 seconds. Thread-safe; the
 * backend owns the connection.
 */
public final class RedisResponseCache implements ResponseCache {
    private static final Logger log = LoggerFactory.getLogger(RedisResponseCache.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final RedisConnector connector;
    private final LuaScript release;
    private final String prefix;
    private final Duration defaultTtl;
    private final Duration lockTtl;
    private final Duration lockWait;
    private final ConcurrentHashMap<String, CompletableFuture<byte[]>> inFlight = new ConcurrentHashMap<>();
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final WarnGate warnGate = new WarnGate(Duration.ofSeconds(10));

    RedisResponseCache(RedisConnector connector, LuaScript release, String prefix, Duration defaultTtl,
                       Duration lockTtl, Duration lockWait) {
        this.connector = connector;
        this.release = release;
        this.prefix = prefix;
        this.defaultTtl = defaultTtl;
        this.lockTtl = lockTtl;
        this.lockWait = lockWait;
    }

    @Override
    public Optional<byte[]> getBytes(String model, String prompt) {
        PromptKeys.check(model, prompt);
        Optional<byte[]> value = lookup(PromptKeys.responseKey(prefix, model, prompt));
        (value.isPresent() ? hits : misses).increment();
        return value; // a fresh array from the driver: nobody else holds it
    }

    @Override
    public void putBytes(String model, String prompt, byte[] response, Duration ttl) {
        PromptKeys.check(model, prompt);
        PromptKeys.checkTtl(ttl);
        Objects.requireNonNull(response, "response");
        // A synchronous SET has written the bytes out when it returns, so the caller's array is not kept.
        store(PromptKeys.responseKey(prefix, model, prompt), response, ttl);
    }

    @Override
    public byte[] getOrComputeBytes(String model, String prompt, Duration ttl, Supplier<byte[]> llmCall) {
        Objects.requireNonNull(llmCall, "llmCall");
        PromptKeys.checkTtl(ttl);
        Optional<byte[]> cached = getBytes(model, prompt);
        if (cached.isPresent()) {
            return cached.get();
        }
        String key = PromptKeys.responseKey(prefix, model, prompt);
        // The future's array is shared by this JVM's waiters, so each of them, and the leader, returns a copy.
        CompletableFuture<byte[]> mine = new CompletableFuture<>();
        CompletableFuture<byte[]> leader = inFlight.putIfAbsent(key, mine);
        if (leader != null) {
            return await(leader, () -> computeAndStore(key, ttl, llmCall)).clone();
        }
        try {
            byte[] value = computeOnce(key, RedisKeys.responseLock(prefix, model, prompt), ttl, llmCall);
            mine.complete(value);
            return value.clone();
        } catch (RuntimeException | Error e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inFlight.remove(key, mine);
        }
    }

    /** This JVM's leader for the key: takes the cross-instance lock, or waits for whoever holds it. */
    private byte[] computeOnce(String key, String lockKey, Duration ttl, Supplier<byte[]> llmCall) {
        byte[] lock = RedisKeys.bytes(lockKey);
        byte[] token = HexFormat.of().formatHex(randomBytes()).getBytes(StandardCharsets.US_ASCII);
        long deadline = System.nanoTime() + lockWait.toNanos();
        long pause = 5;
        while (true) {
            RedisCommands<byte[], byte[]> redis;
            boolean locked;
            try {
                redis = connector.connection().sync();
                locked = "OK".equals(redis.set(lock, token, SetArgs.Builder.nx().px(lockTtl.toMillis())));
            } catch (RuntimeException e) {
                failedOpen("single-flight lock", e);
                return computeAndStore(key, ttl, llmCall); // no Redis, no lock: the call still succeeds
            }
            if (locked) {
                try {
                    // Re-check under the lock: the previous holder may have stored it after our miss.
                    Optional<byte[]> value = lookup(key);
                    return value.isPresent() ? value.get() : computeAndStore(key, ttl, llmCall);
                } finally {
                    unlock(redis, lock, token);
                }
            }
            Optional<byte[]> value = lookup(key);
            if (value.isPresent()) {
                return value.get();
            }
            if (System.nanoTime() - deadline >= 0) {
                log.debug("waited {} for another caller to compute {}; computing here", lockWait, key);
                return computeAndStore(key, ttl, llmCall);
            }
            sleep(pause);
            pause = Math.min(pause * 2, 50);
        }
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return b;
    }

    private void unlock(RedisCommands<byte[], byte[]> redis, byte[] lock, byte[] token) {
        try {
            release.run(redis, ScriptOutputType.INTEGER, new byte[][] {lock}, token);
        } catch (RuntimeException e) {
            failedOpen("single-flight unlock", e); // the lock expires after REDIS_CACHE_LOCK_TTL anyway
        }
    }

    /** Calls the LLM and stores its answer; returns a private copy, so the supplier's array is not kept. */
    private byte[] computeAndStore(String key, Duration ttl, Supplier<byte[]> llmCall) {
        byte[] value = Objects.requireNonNull(llmCall.get(), "llmCall returned null").clone();
        store(key, value, ttl);
        return value;
    }

    private byte[] await(CompletableFuture<byte[]> leader, Supplier<byte[]> fallback) {
        try {
            return leader.get(lockWait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompletionException(e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new CompletionException(e.getCause());
        } catch (TimeoutException e) {
            return fallback.get();
        }
    }

    private Optional<byte[]> lookup(String key) {
        try {
            return Optional.ofNullable(connector.connection().sync().get(RedisKeys.bytes(key)));
        } catch (RuntimeException e) {
            failedOpen("cache lookup", e);
            return Optional.empty();
        }
    }

    private void store(String key, byte[] value, Duration ttl) {
        try {
            connector.connection().sync().set(RedisKeys.bytes(key), value,
                    SetArgs.Builder.px(ttl.toMillis()));
        } catch (RuntimeException e) {
            failedOpen("cache write", e);
        }
    }

    private void failedOpen(String operation, RuntimeException e) {
        StorageException error = RedisErrors.translate(operation, e);
        errors.increment();
        long suppressed = warnGate.tryPass();
        if (suppressed >= 0) {
            log.warn("Response cache failing open ({} more since the last warning): {}", suppressed, error.getMessage());
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompletionException(e);
        }
    }

    @Override
    public Duration defaultTtl() {
        return defaultTtl;
    }

    @Override
    public CacheStats stats() {
        return new CacheStats(hits.sum(), misses.sum(), errors.sum());
    }

    @Override
    public String toString() {
        return "RedisResponseCache{prefix='" + prefix + "', defaultTtl=" + defaultTtl + ", lockTtl=" + lockTtl
                + ", lockWait=" + lockWait + "}";
    }
}
