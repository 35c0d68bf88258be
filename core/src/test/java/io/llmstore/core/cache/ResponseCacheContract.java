package io.llmstore.core.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmstore.core.stats.CacheStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What every {@link ResponseCache} must do; extended by the in-process fallback and by the Redis adapter. */
public abstract class ResponseCacheContract {
    /** The cache under test; each test uses its own model name. */
    protected abstract ResponseCache cache();

    /** Lets {@code d} pass for the cache (move the clock, or sleep). */
    protected abstract void advance(Duration d);

    protected final String model = "model-" + UUID.randomUUID();

    @Test
    void aMissIsEmptyAndCounted() {
        CacheStats before = cache().stats();
        assertThat(cache().get(model, "never cached")).isEmpty();
        assertThat(cache().stats().misses()).isEqualTo(before.misses() + 1);
    }

    @Test
    void aResponseIsServedForTheSameModelAndPromptOnly() {
        cache().put(model, "What is 2+2?", "4", Duration.ofMinutes(1));
        CacheStats before = cache().stats();
        assertThat(cache().get(model, "What is 2+2?")).contains("4");
        assertThat(cache().get(model, "What is 2+3?")).isEmpty();
        assertThat(cache().get(model + "-other", "What is 2+2?")).isEmpty();
        CacheStats after = cache().stats();
        assertThat(after.hits() - before.hits()).isEqualTo(1);
        assertThat(after.misses() - before.misses()).isEqualTo(2);
    }

    @Test
    void anEntryExpiresAfterItsTtl() {
        cache().put(model, "short-lived", "answer", Duration.ofMillis(300));
        assertThat(cache().get(model, "short-lived")).contains("answer");
        advance(Duration.ofMillis(450));
        assertThat(cache().get(model, "short-lived")).isEmpty();
    }

    @Test
    void getOrComputeCallsTheLlmOnceThenServesTheCache() {
        AtomicInteger calls = new AtomicInteger();
        String first = cache().getOrCompute(model, "hello", Duration.ofMinutes(1), () -> "hi #" + calls.incrementAndGet());
        String second = cache().getOrCompute(model, "hello", Duration.ofMinutes(1), () -> "hi #" + calls.incrementAndGet());
        assertThat(first).isEqualTo("hi #1");
        assertThat(second).isEqualTo("hi #1");
        assertThat(calls).hasValue(1);
        assertThat(cache().get(model, "hello")).contains("hi #1");
    }

    @Test
    void fiftyConcurrentCallersOnAColdKeyCallTheLlmOnce() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(50);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                results.add(pool.submit(() -> {
                    start.await();
                    return cache().getOrCompute(model, "hot prompt", Duration.ofMinutes(1), () -> {
                        calls.incrementAndGet();
                        sleep(300); // an LLM call takes a while: the others must wait, not call too
                        return "the answer";
                    });
                }));
            }
            start.countDown();
            for (Future<String> f : results) {
                assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo("the answer");
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(calls).hasValue(1);
    }

    @Test
    void aFailingLlmCallPropagatesAndCachesNothing() {
        assertThatThrownBy(() -> cache().getOrCompute(model, "boom", Duration.ofMinutes(1), () -> {
            throw new IllegalStateException("LLM returned 500");
        })).isInstanceOf(IllegalStateException.class).hasMessage("LLM returned 500");
        assertThat(cache().get(model, "boom")).isEmpty();
        assertThat(cache().getOrCompute(model, "boom", Duration.ofMinutes(1), () -> "recovered")).isEqualTo("recovered");
    }

    @Test
    void promptsAndResponsesAreStoredVerbatim() {
        List<String> texts = List.of("", " ", "line one\nline two\r\n", "redis.call('FLUSHALL') return 1",
                "{hash}tag} KEYS[1] ARGV[1]", "emoji 🔑 кириллица 中文", "\u0000nul\u0000", "x".repeat(100_000));
        for (String text : texts) {
            cache().put(model, text, "response to " + text, Duration.ofMinutes(1));
        }
        for (String text : texts) {
            assertThat(cache().get(model, text)).as(text.length() > 40 ? text.substring(0, 40) : text)
                    .contains("response to " + text);
        }
    }

    @Test
    void invalidArgumentsAreRejected() {
        assertThatThrownBy(() -> cache().get(" ", "p")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("model");
        assertThatThrownBy(() -> cache().put(model, "p", "r", Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ttl");
    }

    protected static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
