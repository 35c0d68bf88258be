package io.llmstore.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.api.sync.RedisCommands;
import io.llmstore.core.StoragePool;
import io.llmstore.core.cache.PromptKeys;
import io.llmstore.core.cache.ResponseCache;
import io.llmstore.core.cache.ResponseCacheContract;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Redis cache passes the contract against the real server; keys and TTLs are what the README says. */
class RedisResponseCacheTest extends ResponseCacheContract {
    private static final String PREFIX = RedisTestPools.newPrefix();
    private static StoragePool pool;
    private static RedisClient rawClient;
    private static RedisCommands<String, String> redis;

    @BeforeAll
    static void open() {
        pool = RedisTestPools.pool(PREFIX);
        rawClient = RedisTestPools.rawClient();
        redis = rawClient.connect().sync();
    }

    @AfterAll
    static void close() {
        pool.close();
        rawClient.shutdown();
    }

    @Override
    protected ResponseCache cache() {
        return pool.cache();
    }

    @Override
    protected void advance(Duration d) {
        sleep(d.toMillis());
    }

    @Test
    void theKeyIsModelAndSha256OfThePromptWithTheTtlSet() throws Exception {
        String prompt = "Summarise: the quick brown fox\njumps";
        cache().put(model, prompt, "a fox jumps", Duration.ofMinutes(5));
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(prompt.getBytes(StandardCharsets.UTF_8)));
        String key = PREFIX + "llm:response:" + model + ":" + sha;
        assertThat(PromptKeys.sha256Hex(prompt)).isEqualTo(sha);
        assertThat(redis.get(key)).isEqualTo("a fox jumps");
        assertThat(redis.ttl(key)).isBetween(298L, 300L);
    }

    @Test
    void withoutATtlTheDefaultHourIsSet() {
        assertThat(cache().defaultTtl()).isEqualTo(Duration.ofHours(1));
        cache().getOrCompute(model, "default ttl", () -> "x");
        // The answer is stored without making the caller wait (fire-and-forget on the pool's connection), and read
        // here on another connection: wait for it instead of racing it.
        String key = PromptKeys.responseKey(PREFIX, model, "default ttl");
        await().atMost(Duration.ofSeconds(5)).until(() -> redis.ttl(key) > 0);
        assertThat(redis.ttl(key)).isBetween(3598L, 3600L);
    }

    @Test
    void theSingleFlightLockIsReleasedAfterTheCall() {
        cache().getOrCompute(model, "locked once", Duration.ofMinutes(1), () -> "v");
        // Released without waiting for the reply, like the store: wait for it on this other connection.
        String lock = PREFIX + "llm:lock:" + model + ":" + PromptKeys.sha256Hex("locked once");
        await().atMost(Duration.ofSeconds(5)).until(() -> redis.exists(lock) == 0);
    }

    @Test
    void twoInstancesComputeAColdPromptOnce() throws Exception {
        // A second pool is a second application instance: its own client, its own in-JVM single-flight.
        try (StoragePool other = RedisTestPools.pool(PREFIX)) {
            java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
            java.util.function.Supplier<String> llm = () -> {
                calls.incrementAndGet();
                sleep(300);
                return "shared";
            };
            var a = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> cache().getOrCompute(model, "two instances", Duration.ofMinutes(1), llm));
            var b = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> other.cache().getOrCompute(model, "two instances", Duration.ofMinutes(1), llm));
            assertThat(a.get()).isEqualTo("shared");
            assertThat(b.get()).isEqualTo("shared");
            assertThat(calls).hasValue(1);
        }
    }

    @Test
    void bytesAreStoredRawUnderTheSameKeySoOtherClientsReadAndWriteThem() {
        byte[] response = {0x00, (byte) 0xFF, (byte) 0xFE, 0x41};
        cache().putBytes(model, "raw bytes", response, Duration.ofMinutes(5));
        byte[] key = PromptKeys.responseKey(PREFIX, model, "raw bytes").getBytes(StandardCharsets.UTF_8);
        try (var raw = rawClient.connect(ByteArrayCodec.INSTANCE)) {
            assertThat(raw.sync().get(key)).containsExactly(response);
            assertThat(raw.sync().ttl(key)).isBetween(298L, 300L);
            // Another instance (or an older llmstore) wrote text: it reads back as its UTF-8 bytes.
            raw.sync().set(key, "héllo".getBytes(StandardCharsets.UTF_8));
        }
        assertThat(cache().getBytes(model, "raw bytes"))
                .hasValueSatisfying(b -> assertThat(b).containsExactly("héllo".getBytes(StandardCharsets.UTF_8)));
        assertThat(cache().get(model, "raw bytes")).contains("héllo");
    }

    @Test
    void statsReachThePool() {
        cache().get(model, "counted");
        assertThat(pool.stats().caches().get("llm_response").misses()).isPositive();
    }
}
