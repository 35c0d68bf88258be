package io.llmstore.core.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
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
 * TTL measured on the injected {@link Clock}. Thread-safe.
 */
public final class LocalResponseCache implements ResponseCache {
    private record Entry(String value, long ttlNanos) {
    }

    private final Cache<String, Entry> entries;
    private final ConcurrentHashMap<String, CompletableFuture<String>> inFlight = new ConcurrentHashMap<>();
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
        this.entries = Caffeine.newBuilder()
                .maximumSize(maximumSize)
                .ticker(() -> {
                    var now = clock.instant();
                    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
                })
                .expireAfter(new Expiry<String, Entry>() {
                    @Override
                    public long expireAfterCreate(String key, Entry entry, long currentTime) {
                        return entry.ttlNanos();
                    }

                    @Override
                    public long expireAfterUpdate(String key, Entry entry, long currentTime, long currentDuration) {
                        return entry.ttlNanos();
                    }

                    @Override
                    public long expireAfterRead(String key, Entry entry, long currentTime, long currentDuration) {
                        return currentDuration;
                    }
                })
                .build();
    }

    @Override
    public Optional<String> get(String model, String prompt) {
        PromptKeys.check(model, prompt);
        Entry entry = entries.getIfPresent(PromptKeys.responseKey("", model, prompt));
        if (entry == null) {
            misses.increment();
            return Optional.empty();
        }
        hits.increment();
        return Optional.of(entry.value());
    }

    @Override
    public void put(String model, String prompt, String response, Duration ttl) {
        PromptKeys.check(model, prompt);
        PromptKeys.checkTtl(ttl);
        Objects.requireNonNull(response, "response");
        entries.put(PromptKeys.responseKey("", model, prompt), new Entry(response, ttl.toNanos()));
    }

    @Override
    public String getOrCompute(String model, String prompt, Duration ttl, Supplier<String> llmCall) {
        Objects.requireNonNull(llmCall, "llmCall");
        PromptKeys.checkTtl(ttl);
        Optional<String> cached = get(model, prompt);
        if (cached.isPresent()) {
            return cached.get();
        }
        String key = PromptKeys.responseKey("", model, prompt);
        CompletableFuture<String> mine = new CompletableFuture<>();
        CompletableFuture<String> leader = inFlight.putIfAbsent(key, mine);
        if (leader != null) {
            try {
                return leader.get(computeWait.toNanos(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CompletionException(e);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException re ? re : new CompletionException(e.getCause());
            } catch (TimeoutException e) {
                return compute(model, prompt, ttl, llmCall); // the leader is too slow: do not wait forever
            }
        }
        try {
            // Re-check: the previous leader may have cached it between our miss and our registration.
            Entry entry = entries.getIfPresent(key);
            String value = entry != null ? entry.value() : compute(model, prompt, ttl, llmCall);
            mine.complete(value);
            return value;
        } catch (RuntimeException | Error e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inFlight.remove(key, mine);
        }
    }

    private String compute(String model, String prompt, Duration ttl, Supplier<String> llmCall) {
        String value = Objects.requireNonNull(llmCall.get(), "llmCall returned null");
        put(model, prompt, value, ttl);
        return value;
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
