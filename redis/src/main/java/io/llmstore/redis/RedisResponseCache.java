package io.llmstore.redis;

import io.lettuce.core.SetArgs;
import io.lettuce.core.ScriptOutputType;
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
        Lookup found = lookup(PromptKeys.responseKey(prefix, model, prompt));
        (found.value() != null ? hits : misses).increment();
        return Optional.ofNullable(found.value()); // a fresh array from the driver: nobody else holds it
    }

    @Override
    public void putBytes(String model, String prompt, byte[] response, Duration ttl) {
        PromptKeys.check(model, prompt);
        PromptKeys.checkTtl(ttl);
        Objects.requireNonNull(response, "response");
        // A synchronous SET has written the bytes out when it returns, so the caller's array is not kept.
        try {
            connector.connection().sync().set(RedisKeys.bytes(PromptKeys.responseKey(prefix, model, prompt)), response,
                    SetArgs.Builder.px(ttl.toMillis()));
        } catch (RuntimeException e) {
            failedOpen("cache write", e);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Bounded by Redis: whatever Redis does, this adds at most one {@code REDIS_COMMAND_TIMEOUT} to the time of
     * {@code llmCall} (plus, when another caller holds the lock, up to {@code REDIS_CACHE_LOCK_WAIT} of waiting for
     * its answer). After a Redis failure in this call no further command is waited for: the lock is skipped, and the
     * answer is stored (and the lock released) without making the caller wait.
     */
    @Override
    public byte[] getOrComputeBytes(String model, String prompt, Duration ttl, Supplier<byte[]> llmCall) {
        Objects.requireNonNull(llmCall, "llmCall");
        PromptKeys.checkTtl(ttl);
        PromptKeys.check(model, prompt);
        String key = PromptKeys.responseKey(prefix, model, prompt);
        Lookup first = lookup(key);
        (first.value() != null ? hits : misses).increment();
        if (first.value() != null) {
            return first.value();
        }
        // The future's array is shared by this JVM's waiters, so each of them, and the leader, returns a copy.
        CompletableFuture<byte[]> mine = new CompletableFuture<>();
        CompletableFuture<byte[]> leader = inFlight.putIfAbsent(key, mine);
        if (leader != null) {
            return await(leader, () -> computeAndStore(key, ttl, llmCall)).clone();
        }
        try {
            byte[] value = first.failed()
                    // Redis just failed (or timed out): taking the lock would wait for it again. Compute unlocked.
                    ? computeAndStore(key, ttl, llmCall)
                    : computeOnce(key, RedisKeys.responseLock(prefix, model, prompt), ttl, llmCall);
            mine.complete(value);
            return value.clone();
        } catch (RuntimeException | Error e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inFlight.remove(key, mine);
        }
    }

    /**
     * This JVM's leader for the key: takes the cross-instance lock, or waits for whoever holds it. The first Redis
     * failure ends all waiting on Redis: the LLM is called at once and the answer stored in the background.
     */
    private byte[] computeOnce(String key, String lockKey, Duration ttl, Supplier<byte[]> llmCall) {
        byte[] lock = RedisKeys.bytes(lockKey);
        byte[] token = HexFormat.of().formatHex(randomBytes()).getBytes(StandardCharsets.US_ASCII);
        long deadline = System.nanoTime() + lockWait.toNanos();
        long pause = 5;
        while (true) {
            boolean locked;
            try {
                locked = "OK".equals(connector.connection().sync()
                        .set(lock, token, SetArgs.Builder.nx().px(lockTtl.toMillis())));
            } catch (RuntimeException e) {
                failedOpen("single-flight lock", e);
                return computeAndStore(key, ttl, llmCall); // no Redis, no lock: the call still succeeds
            }
            if (locked) {
                try {
                    // Re-check under the lock: the previous holder may have stored it after our miss.
                    Lookup again = lookup(key);
                    return again.value() != null ? again.value() : computeAndStore(key, ttl, llmCall);
                } finally {
                    unlock(lock, token); // queued after the store on the one connection, so waiters see the value
                }
            }
            Lookup polled = lookup(key);
            if (polled.value() != null) {
                return polled.value();
            }
            if (polled.failed()) {
                return computeAndStore(key, ttl, llmCall);
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

    /** Releases the lock without waiting for the reply; a failure only leaves it to expire (REDIS_CACHE_LOCK_TTL). */
    private void unlock(byte[] lock, byte[] token) {
        try {
            release.runAsync(connector.connection().async(), ScriptOutputType.INTEGER, new byte[][] {lock}, token)
                    .whenComplete((ok, e) -> {
                        if (e != null) {
                            failedOpen("single-flight unlock", e);
                        }
                    });
        } catch (RuntimeException e) {
            failedOpen("single-flight unlock", e);
        }
    }

    /**
     * Calls the LLM and stores its answer without waiting for Redis (the caller already has the answer; a slow or
     * hung Redis must not hold it); returns a private copy, so the supplier's array is not kept.
     */
    private byte[] computeAndStore(String key, Duration ttl, Supplier<byte[]> llmCall) {
        byte[] value = Objects.requireNonNull(llmCall.get(), "llmCall returned null").clone();
        try {
            // Lettuce encodes the command when it writes it, possibly later: hand it an array nobody changes.
            connector.connection().async().set(RedisKeys.bytes(key), value.clone(), SetArgs.Builder.px(ttl.toMillis()))
                    .whenComplete((ok, e) -> {
                        if (e != null) {
                            failedOpen("cache write", e);
                        }
                    });
        } catch (RuntimeException e) {
            failedOpen("cache write", e);
        }
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

    /** A GET's outcome: the value (null on a miss or a failure) and whether Redis failed. */
    private record Lookup(byte[] value, boolean failed) {
    }

    private Lookup lookup(String key) {
        try {
            return new Lookup(connector.connection().sync().get(RedisKeys.bytes(key)), false);
        } catch (RuntimeException e) {
            failedOpen("cache lookup", e);
            return new Lookup(null, true);
        }
    }

    private void failedOpen(String operation, Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        StorageException error = RedisErrors.translate(operation,
                cause instanceof RuntimeException re ? re : new CompletionException(cause));
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
