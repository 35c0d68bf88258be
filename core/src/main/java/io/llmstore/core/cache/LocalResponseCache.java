package io.llmstore.core.cache;

import com.github.benmanes.caffeine.cache.Cache;
import io.llmstore.core.internal.ClockCaches;
import io.llmstore.core.stats.CacheStats;
import java.time.Clock;
import java.time.Duration;
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

/**
 * An in-process response cache, LOCAL TO ONE JVM: entries and single-flight are not shared with other application
 * instances. Used when Redis is not configured. Caffeine-held, bounded in size, each entry expiring after its own
 * TTL measured on the injected {@link Clock}. Responses are held as bytes (Strings as their UTF-8). Thread-safe.
 */
public final class LocalResponseCache implements ResponseCache {
    /** {@code value} is owned by the cache: copied in, copied out, never handed out or changed. */
    private record Entry(byte[] value, long ttlNanos) {
    }

    private final Cache<String, Entry> entries;
    private final ConcurrentHashMap<String, CompletableFuture<byte[]>> inFlight = new ConcurrentHashMap<>();
    private final Duration defaultTtl;
    private final Duration computeWait;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();

    /**
     * @param maximumSize most entries (least recently used evicted first)
     * @param defaultTtl  TTL when none is given
     * @param computeWait how long a caller waits for another caller computing the same key before computing itself
     * @param clock       time source for expiry
     */
    public LocalResponseCache(long maximumSize, Duration defaultTtl, Duration computeWait, Clock clock) {
        PromptKeys.checkTtl(defaultTtl);
        this.defaultTtl = defaultTtl;
        this.computeWait = Objects.requireNonNull(computeWait, "computeWait");
        Objects.requireNonNull(clock, "clock");
        this.entries = ClockCaches.perEntryTtl(maximumSize, clock, Entry::ttlNanos);
    }

    @Override
    public Optional<byte[]> getBytes(String model, String prompt) {
        PromptKeys.check(model, prompt);
        Entry entry = entries.getIfPresent(PromptKeys.responseKey("", model, prompt));
        if (entry == null) {
            misses.increment();
            return Optional.empty();
        }
        hits.increment();
        return Optional.of(entry.value().clone());
    }

    @Override
    public void putBytes(String model, String prompt, byte[] response, Duration ttl) {
        PromptKeys.check(model, prompt);
        PromptKeys.checkTtl(ttl);
        Objects.requireNonNull(response, "response");
        store(PromptKeys.responseKey("", model, prompt), response.clone(), ttl);
    }

    @Override
    public byte[] getOrComputeBytes(String model, String prompt, Duration ttl, Supplier<byte[]> llmCall) {
        Objects.requireNonNull(llmCall, "llmCall");
        PromptKeys.checkTtl(ttl);
        Optional<byte[]> cached = getBytes(model, prompt);
        if (cached.isPresent()) {
            return cached.get();
        }
        String key = PromptKeys.responseKey("", model, prompt);
        // The future holds the cache's own array; every caller, the leader included, gets a copy of it.
        CompletableFuture<byte[]> mine = new CompletableFuture<>();
        CompletableFuture<byte[]> leader = inFlight.putIfAbsent(key, mine);
        if (leader != null) {
            try {
                return leader.get(computeWait.toNanos(), TimeUnit.NANOSECONDS).clone();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CompletionException(e);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException re ? re : new CompletionException(e.getCause());
            } catch (TimeoutException e) {
                return compute(key, ttl, llmCall).clone(); // the leader is too slow: do not wait forever
            }
        }
        try {
            // Re-check: the previous leader may have cached it between our miss and our registration.
            Entry entry = entries.getIfPresent(key);
            byte[] value = entry != null ? entry.value() : compute(key, ttl, llmCall);
            mine.complete(value);
            return value.clone();
        } catch (RuntimeException | Error e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inFlight.remove(key, mine);
        }
    }

    /** Calls the LLM and caches a private copy of its answer, which it returns (not to be handed out as is). */
    private byte[] compute(String key, Duration ttl, Supplier<byte[]> llmCall) {
        byte[] value = Objects.requireNonNull(llmCall.get(), "llmCall returned null").clone();
        store(key, value, ttl);
        return value;
    }

    /** Caches {@code value}, which the cache owns from now on. */
    private void store(String key, byte[] value, Duration ttl) {
        entries.put(key, new Entry(value, ttl.toNanos()));
    }

    @Override
    public Duration defaultTtl() {
        return defaultTtl;
    }

    @Override
    public CacheStats stats() {
        return new CacheStats(hits.sum(), misses.sum(), 0);
    }

    @Override
    public String toString() {
        return "LocalResponseCache{size=" + entries.estimatedSize() + ", defaultTtl=" + defaultTtl
                + ", local to this JVM}";
    }
}
