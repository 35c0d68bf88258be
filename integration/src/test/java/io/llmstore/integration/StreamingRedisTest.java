package io.llmstore.integration;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.ratelimit.RateLimit;
import io.llmstore.core.ratelimit.RateLimitPolicy;
import io.llmstore.core.ratelimit.RateLimiter;
import io.llmstore.core.stream.CachedStream;
import io.llmstore.core.stream.RecordedStream;
import io.llmstore.core.stream.StreamCall;
import io.llmstore.core.stream.StreamEnd;
import io.llmstore.core.stream.StreamRecorder;
import io.llmstore.core.stream.StreamResult;
import io.llmstore.core.stream.Transcript;
import io.llmstore.core.usage.UsageFilter;
import io.llmstore.core.usage.UsageMetric;
import io.llmstore.core.usage.UsageSource;
import io.llmstore.testkit.PostgresServer;
import io.llmstore.testkit.Schemas;
import io.llmstore.testkit.TestServers;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Streams through two application instances sharing PostgreSQL and Redis: the Redis response cache replays a stream
 * the other instance completed (a hit row with the cost saved), the Redis rate limiter's reservations are settled
 * with each stream's row, cut streams are estimated and never cached.
 */
class StreamingRedisTest {
    static final long TPM = 1_000_000;
    final String run = Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);
    final String schema = "stream_" + run;
    final List<AutoCloseable> open = new ArrayList<>();

    StoragePool pool() {
        StoragePool p = StoragePool.create(StorageConfig.builder().databaseUrl(TestServers.postgres().databaseUrl())
                .redisUrl(TestServers.redis().uri()).set("DB_SCHEMA", schema).set("DB_MIGRATE_ON_START", "true")
                .set("DB_TIMESCALEDB", "off").build());
        open.add(p);
        return p;
    }

    StreamRecorder recorder(StoragePool p, RateLimiter limiter) {
        StreamRecorder r = p.usage().streamRecorder().rateLimiter(limiter).cache(p.cache(), Duration.ofMinutes(2))
                .shutdownHook(false).build();
        open.add(0, r);
        return r;
    }

    static RateLimiter limiter(StoragePool p) {
        return p.limits().limiter(RateLimitPolicy.of(RateLimit.of("tpm", TPM, Duration.ofMinutes(1))));
    }

    static long used(RateLimiter limiter, String key) {
        return TPM - limiter.tryAcquire(key, 1).remaining() - 1;
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        PostgresServer pg = TestServers.postgres();
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password())) {
            Schemas.drop(c, schema);
        }
    }

    @Test
    void aStreamCompletedOnOneInstanceIsReplayedOnAnotherFromRedisAndEveryReservationIsSettledInRedis() {
        StoragePool a = pool();
        StoragePool b = pool();
        RateLimiter limiterA = limiter(a);
        RateLimiter limiterB = limiter(b);
        StreamRecorder streamsA = recorder(a, limiterA);
        StreamRecorder streamsB = recorder(b, limiterB);
        Instant start = Instant.now().minusSeconds(1);
        List<StreamResult> missed = new ArrayList<>();
        for (Transcript t : Transcript.all()) {
            String key = run + ":" + t.name();
            StreamCall call = t.call().cacheKey(key).reservation(limiterA.reserve("u:" + key, 5_000)).build();
            assertThat(streamsA.replayFromCache(call)).isEmpty();
            RecordedStream s = streamsA.open(call);
            for (int i = 0; i < t.bytes().length; i += 97) {
                s.onBytes(t.bytes(), i, Math.min(97, t.bytes().length - i));
            }
            missed.add(s.complete());
            assertThat(used(limiterB, "u:" + key)).as("settled, seen from the other instance")
                    .isEqualTo(missed.get(missed.size() - 1).metric().tokenTotal());

            StreamCall again = t.call().cacheKey(key).reservation(limiterB.reserve("hit:" + key, 5_000)).build();
            CachedStream hit = streamsB.replayFromCache(again).orElseThrow();
            assertThat(hit.sse()).as(t.name()).isEqualTo(t.bytes());
            assertThat(used(limiterA, "hit:" + key)).as("a hit's reservation is released").isZero();
        }
        // A stream cut by the client: estimated, settled, not cached.
        Transcript t = Transcript.named("openai-chat.sse");
        String key = run + ":cut";
        StreamCall cutCall = t.call().cacheKey(key).reservation(limiterA.reserve("u:" + key, 5_000)).build();
        RecordedStream cut = streamsA.open(cutCall);
        cut.onBytes(t.bytes(), 0, t.eventEnds().get(8));
        StreamResult cancelled = cut.cancel();
        assertThat(cancelled.end()).isEqualTo(StreamEnd.CANCELLED);
        assertThat(used(limiterB, "u:" + key)).isEqualTo(cancelled.metric().tokenTotal());
        assertThat(streamsB.replayFromCache(t.call().cacheKey(key).build())).isEmpty();

        a.flush();
        b.flush();
        List<UsageMetric> rows = a.analytics().rows(UsageFilter.between(start, Instant.now().plusSeconds(5)),
                Optional.empty(), 100).rows();
        int n = Transcript.all().size();
        assertThat(rows).hasSize(2 * n + 1);
        assertThat(rows).filteredOn(m -> m.usageSource() == UsageSource.CACHE_HIT).hasSize(n).allSatisfy(m -> {
            assertThat(m.costUsd()).isZero();
            assertThat(m.costSavedUsd()).isPositive();
        });
        for (StreamResult r : missed) {
            UsageMetric hitRow = rows.stream().filter(m -> m.usageSource() == UsageSource.CACHE_HIT
                    && m.modelId().equals(r.metric().modelId()) && m.tokenInput() == r.metric().tokenInput()).findFirst()
                    .orElseThrow();
            assertThat(hitRow.costSavedUsd()).isEqualByComparingTo(r.metric().costUsd());
        }
        assertThat(rows).contains(cancelled.metric());
        assertThat(rows).filteredOn(m -> m.usageSource() == UsageSource.ESTIMATED).hasSize(2); // the cut and the usage-less
    }
}
