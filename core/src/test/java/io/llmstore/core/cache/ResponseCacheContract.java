package io.llmstore.core.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmstore.core.stats.CacheStats;
import java.nio.charset.StandardCharsets;
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
    void bytesRoundTripExactlyIncludingNulAndBytesThatAreNotUtf8() {
        byte[] response = {0x00, (byte) 0xFF, (byte) 0xFE, 0x41, 0x00, (byte) 0xC3, (byte) 0x28, (byte) 0x80};
        cache().putBytes(model, "binary", response, Duration.ofMinutes(1));
        assertThat(cache().getBytes(model, "binary")).hasValueSatisfying(b -> assertThat(b).containsExactly(response));
        cache().putBytes(model, "empty", new byte[0], Duration.ofMinutes(1));
        assertThat(cache().getBytes(model, "empty")).hasValueSatisfying(b -> assertThat(b).isEmpty());
        assertThat(cache().getBytes(model, "never cached")).isEmpty();
    }

    @Test
    void arraysAreCopiedInAndOutSoChangingThemDoesNotChangeTheEntry() {
        byte[] response = {1, 2, 3};
        cache().putBytes(model, "copied", response, Duration.ofMinutes(1));
        response[0] = 9;
        byte[] read = cache().getBytes(model, "copied").orElseThrow();
        assertThat(read).containsExactly(1, 2, 3);
        read[1] = 9;
        assertThat(cache().getBytes(model, "copied")).hasValueSatisfying(b -> assertThat(b).containsExactly(1, 2, 3));

        byte[] fromLlm = {4, 5, 6};
        byte[] computed = cache().getOrComputeBytes(model, "computed", Duration.ofMinutes(1), () -> fromLlm);
        fromLlm[0] = 9;
        computed[1] = 9;
        assertThat(cache().getOrComputeBytes(model, "computed", Duration.ofMinutes(1), () -> new byte[] {7}))
                .containsExactly(4, 5, 6);
    }

    @Test
    void aByteEntryExpiresAfterItsTtl() {
        cache().putBytes(model, "short-lived bytes", new byte[] {0x00, (byte) 0xFF}, Duration.ofMillis(300));
        assertThat(cache().getBytes(model, "short-lived bytes")).isPresent();
        advance(Duration.ofMillis(450));
        assertThat(cache().getBytes(model, "short-lived bytes")).isEmpty();
        assertThat(cache().get(model, "short-lived bytes")).isEmpty();
    }

    @Test
    void aStringPutReadsBackAsItsUtf8BytesAndUtf8BytesReadBackAsTheString() {
        String text = "emoji 🔑 кириллица 中文 \u0000";
        cache().put(model, "as string", text, Duration.ofMinutes(1));
        assertThat(cache().getBytes(model, "as string"))
                .hasValueSatisfying(b -> assertThat(b).containsExactly(text.getBytes(StandardCharsets.UTF_8)));

        cache().putBytes(model, "as bytes", text.getBytes(StandardCharsets.UTF_8), Duration.ofMinutes(1));
        assertThat(cache().get(model, "as bytes")).contains(text);
        assertThat(cache().getOrCompute(model, "as bytes", Duration.ofMinutes(1), () -> "not called")).isEqualTo(text);
    }

    @Test
    void getOrComputeBytesCallsTheLlmOnceThenServesTheCache() {
        AtomicInteger calls = new AtomicInteger();
        byte[] first = cache().getOrComputeBytes(model, "hello bytes", Duration.ofMinutes(1),
                () -> new byte[] {(byte) 0xFF, (byte) calls.incrementAndGet()});
        byte[] second = cache().getOrComputeBytes(model, "hello bytes", Duration.ofMinutes(1),
                () -> new byte[] {(byte) 0xFF, (byte) calls.incrementAndGet()});
        assertThat(first).containsExactly(0xFF, 1);
        assertThat(second).containsExactly(0xFF, 1);
        assertThat(calls).hasValue(1);
        assertThatThrownBy(() -> cache().getOrComputeBytes(model, "null answer", Duration.ofMinutes(1), () -> null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("llmCall");
        assertThat(cache().getBytes(model, "null answer")).isEmpty();
    }

    @Test
    void fiftyConcurrentCallersOfGetOrComputeBytesOnAColdKeyCallTheLlmOnce() throws Exception {
        byte[] answer = {0x00, (byte) 0xFF, (byte) 0xFE, 0x7F};
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(50);
        try {
            List<Future<byte[]>> results = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                results.add(pool.submit(() -> {
                    start.await();
                    byte[] got = cache().getOrComputeBytes(model, "hot binary prompt", Duration.ofMinutes(1), () -> {
                        calls.incrementAndGet();
                        sleep(300); // an LLM call takes a while: the others must wait, not call too
                        return answer.clone();
                    });
                    got[0] = 42; // each caller owns its array: scribbling on it must not reach the others
                    return got;
                }));
            }
            start.countDown();
            for (Future<byte[]> f : results) {
                assertThat(f.get(30, TimeUnit.SECONDS)).containsExactly(42, 0xFF, 0xFE, 0x7F);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(calls).hasValue(1);
        assertThat(cache().getBytes(model, "hot binary prompt")).hasValueSatisfying(b -> assertThat(b).containsExactly(answer));
    }

    @Test
    void promptsWithUnpairedSurrogatesAreRefusedNamingTheFieldAndNeverShareAKey() {
        cache().put(model, "say ?", "answer to '?'", Duration.ofMinutes(1));
        for (String prompt : List.of("say \uD800", "say \uDBFF", "say \uDC00")) {
            assertThatThrownBy(() -> cache().get(model, prompt)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("prompt must not contain an unpaired UTF-16 surrogate")
                    .hasMessageContaining("at index 4");
            assertThatThrownBy(() -> cache().getOrCompute(model, prompt, Duration.ofMinutes(1), () -> "x"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("prompt");
            assertThatThrownBy(() -> cache().put(model, prompt, "x", Duration.ofMinutes(1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("prompt");
        }
        assertThatThrownBy(() -> cache().get("m\uD800", "p")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("model must not contain an unpaired UTF-16 surrogate");
        // A well-formed pair (an emoji) is fine and is its own key.
        assertThat(cache().get(model, "say \uD83D\uDE00")).isEmpty();
        assertThat(cache().get(model, "say ?")).contains("answer to '?'");
    }

    @Test
    void responsesWithUnpairedSurrogatesAreRefusedNotAlteredAndNothingIsCached() {
        assertThatThrownBy(() -> cache().put(model, "r1", "half \uD800 a pair", Duration.ofMinutes(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("response must not contain an unpaired UTF-16 surrogate, found \\uD800 at index 5");
        assertThat(cache().get(model, "r1")).isEmpty();
        assertThatThrownBy(() -> cache().getOrCompute(model, "r2", Duration.ofMinutes(1), () -> "x\uDFFF"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("response");
        assertThat(cache().get(model, "r2")).isEmpty();
    }

    @Test
    void invalidArgumentsAreRejected() {
        assertThatThrownBy(() -> cache().get(" ", "p")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("model");
        assertThatThrownBy(() -> cache().put(model, "p", "r", Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ttl");
        assertThatThrownBy(() -> cache().getBytes(" ", "p")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("model");
        assertThatThrownBy(() -> cache().putBytes(model, "p", new byte[] {1}, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ttl");
        assertThatThrownBy(() -> cache().putBytes(model, "p", null, Duration.ofMinutes(1)))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("response");
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
