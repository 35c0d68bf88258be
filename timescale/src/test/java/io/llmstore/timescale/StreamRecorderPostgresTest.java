package io.llmstore.timescale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.price.PriceCatalog;
import io.llmstore.core.ratelimit.MutableClock;
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
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The stream recorder writing through the pool's real usage writers into PostgreSQL 15: every provider transcript
 * and every way a stream ends gives exactly one row, read back from {@code llm_usage_metrics} with its usage source,
 * time to first token and finish reason, and the reservation of each is settled.
 */
class StreamRecorderPostgresTest {
    static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
    static final long TPM = 1_000_000;

    String schema;
    StoragePool pool;
    final MutableClock clock = new MutableClock(T0);
    final List<StreamRecorder> recorders = new ArrayList<>();

    static PostgresServer server() {
        return TestServers.postgres();
    }

    static StorageConfig config(String schema) {
        return StorageConfig.builder().databaseUrl(server().databaseUrl()).poolMaxConnections(3).poolMinConnections(1)
                .set("DB_SCHEMA", schema).set("DB_MIGRATE_ON_START", "true").set("DB_TIMESCALEDB", "off").build();
    }

    @BeforeEach
    void openPool() {
        schema = "s_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        pool = StoragePool.create(config(schema));
    }

    @AfterEach
    void close() throws SQLException {
        recorders.forEach(StreamRecorder::close);
        pool.close();
        PostgresServer s = server();
        try (Connection c = java.sql.DriverManager.getConnection(s.jdbcUrl(), s.user(), s.password())) {
            Schemas.drop(c, schema);
        }
    }

    StreamRecorder recorder(RateLimiter limiter, Duration idle) {
        StreamRecorder r = pool.usage().streamRecorder().clock(clock).rateLimiter(limiter).idleTimeout(idle)
                .shutdownHook(false).build();
        recorders.add(r);
        return r;
    }

    RateLimiter limiter() {
        return pool.limits().limiter(RateLimitPolicy.of(RateLimit.of("tpm", TPM, Duration.ofMinutes(1))));
    }

    static long used(RateLimiter limiter, String key) {
        return TPM - limiter.tryAcquire(key, 1).remaining() - 1;
    }

    void feed(RecordedStream s, byte[] bytes, int length, Random random) {
        for (int i = 0; i < length; ) {
            int n = Math.min(length - i, 1 + random.nextInt(48));
            clock.advance(Duration.ofMillis(7));
            s.onBytes(bytes, i, n);
            i += n;
        }
    }

    /** The stream columns of every stored row, by event id. */
    Map<UUID, String> storedColumns() throws SQLException {
        Map<UUID, String> out = new HashMap<>();
        try (Connection c = pool.client(DataSource.class).orElseThrow().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT event_id, usage_source, time_to_first_token_ms, finish_reason,"
                     + " token_input, token_output, cost_usd, cost_saved_usd, error_count FROM llm_usage_metrics")) {
            while (rs.next()) {
                out.put((UUID) rs.getObject(1), rs.getString(2) + "|" + rs.getObject(3) + "|" + rs.getString(4) + "|"
                        + rs.getLong(5) + "|" + rs.getLong(6) + "|" + strip(rs.getBigDecimal(7)) + "|"
                        + strip(rs.getBigDecimal(8)) + "|" + rs.getLong(9));
            }
        }
        return out;
    }

    static String columnsOf(UsageMetric m) {
        return (m.usageSource() == null ? null : m.usageSource().value()) + "|" + m.timeToFirstTokenMs() + "|"
                + m.finishReason() + "|" + m.tokenInput() + "|" + m.tokenOutput() + "|" + strip(m.costUsd()) + "|"
                + strip(m.costSavedUsd()) + "|" + m.errorCount();
    }

    static String strip(BigDecimal d) {
        return d == null ? null : d.stripTrailingZeros().toPlainString();
    }

    List<UsageMetric> rowsBack() {
        return pool.analytics().rows(UsageFilter.between(T0.minusSeconds(1), T0.plus(Duration.ofDays(1))),
                Optional.empty(), 1_000).rows();
    }

    @Test
    void everyTranscriptCompletedAndCutStoresOneRowPerStreamReadBackWithItsStreamColumns() throws SQLException {
        RateLimiter limiter = limiter();
        StreamRecorder recorder = recorder(limiter, Duration.ZERO);
        Random random = new Random(17);
        List<StreamResult> results = new ArrayList<>();
        Map<String, Long> settled = new HashMap<>();
        int n = 0;
        for (Transcript t : Transcript.all()) {
            // completed
            String key = "k" + n++;
            RecordedStream s = recorder.open(t.call().reservation(limiter.reserve(key, 3_000)).build());
            clock.advance(Duration.ofMillis(250));
            feed(s, t.bytes(), t.bytes().length, random);
            results.add(s.complete());
            settled.put(key, results.get(results.size() - 1).metric().tokenTotal());
            // cut at three random bytes, ended by the client going away
            for (int i = 0; i < 3; i++) {
                key = "k" + n++;
                int cut = random.nextInt(t.bytes().length);
                RecordedStream c = recorder.open(t.call().reservation(limiter.reserve(key, 3_000)).build());
                feed(c, t.bytes(), cut, random);
                results.add(c.cancel());
                settled.put(key, results.get(results.size() - 1).metric().tokenTotal());
                if (!t.usageFinalWithin(cut)) {
                    assertThat(results.get(results.size() - 1).metric().usageSource()).as("%s cut at %d", t, cut)
                            .isEqualTo(UsageSource.ESTIMATED);
                }
            }
        }
        pool.usage().buffered().flush();

        Map<UUID, String> stored = storedColumns();
        assertThat(stored).hasSize(results.size());
        for (StreamResult r : results) {
            assertThat(r.recorded()).isTrue();
            assertThat(stored.get(r.metric().eventId())).as(r.metric().finishReason()).isEqualTo(columnsOf(r.metric()));
        }
        assertThat(rowsBack()).containsExactlyInAnyOrderElementsOf(results.stream().map(StreamResult::metric).toList());
        for (int i = 0; i < Transcript.all().size(); i++) {
            Transcript t = Transcript.all().get(i);
            UsageMetric completed = results.get(i * 4).metric();
            if (t.reported() != null) {
                assertThat(completed.usageSource()).as(t.name()).isEqualTo(UsageSource.REPORTED);
                assertThat(completed.tokenInput()).as(t.name()).isEqualTo(t.reported().inputTokens());
                assertThat(completed.tokenOutput()).as(t.name()).isEqualTo(t.reported().outputTokens());
            }
            assertThat(completed.timeToFirstTokenMs()).as(t.name()).isGreaterThanOrEqualTo(257.0);
            assertThat(completed.costUsd()).as(t.name()).isEqualByComparingTo(PriceCatalog.bundled()
                    .cost(t.provider(), t.model(), completed.tokenUsage(), T0).orElseThrow().total());
        }
        settled.forEach((key, total) -> assertThat(used(limiter, key)).as(key).isEqualTo(total));
    }

    @Test
    void eachWayOfEndingStoresExactlyOneRowAndSettlesItsReservation() throws SQLException {
        RateLimiter limiter = limiter();
        StreamRecorder recorder = recorder(limiter, Duration.ofSeconds(20));
        Transcript t = Transcript.named("openai-responses.sse");
        int half = t.eventEnds().get(9);
        record Way(String name, String reason, Function<RecordedStream, Object> how) {
        }
        List<Way> ways = List.of(
                new Way("completed", "completed", s -> {
                    s.onBytes(java.util.Arrays.copyOfRange(t.bytes(), half, t.bytes().length));
                    return s.complete();
                }),
                new Way("client cancel", "cancelled", RecordedStream::cancel),
                new Way("exception", "error", s -> s.fail(new java.io.UncheckedIOException(new java.io.IOException("reset")))),
                new Way("consumer closed early", "closed_early", s -> {
                    s.close();
                    return null;
                }),
                new Way("timeout", "timeout", s -> {
                    clock.advance(Duration.ofSeconds(21));
                    await().atMost(Duration.ofSeconds(10)).until(s::isEnded);
                    return null;
                }),
                new Way("recorder shutdown", "shutdown", s -> {
                    recorder.close();
                    return null;
                }));
        Map<String, RecordedStream> streams = new HashMap<>();
        for (Way w : ways) {
            RecordedStream s = recorder.open(t.call().reservation(limiter.reserve(w.name(), 2_000)).user(w.name()).build());
            feed(s, t.bytes(), half, new Random(w.name().hashCode()));
            w.how().apply(s);
            s.close();
            s.cancel();
            streams.put(w.name(), s);
        }
        pool.usage().buffered().flush();

        Map<UUID, String> stored = storedColumns();
        assertThat(stored).hasSize(ways.size());
        long estimatedOut = Transcript.estimate(t.textBefore(half));
        for (Way w : ways) {
            UsageMetric m = streams.get(w.name()).result().orElseThrow().metric();
            assertThat(stored.get(m.eventId())).as(w.name()).isEqualTo(columnsOf(m));
            assertThat(m.finishReason()).as(w.name()).isEqualTo(w.reason());
            assertThat(m.usageSource()).as(w.name())
                    .isEqualTo(w.name().equals("completed") ? UsageSource.REPORTED : UsageSource.ESTIMATED);
            assertThat(m.tokenOutput()).as(w.name()).isEqualTo(w.name().equals("completed") ? 14 : estimatedOut);
            assertThat(m.timeToFirstTokenMs()).as(w.name()).isNotNull();
            assertThat(used(limiter, w.name())).as(w.name()).isEqualTo(m.tokenTotal());
        }
        try (Connection c = pool.client(DataSource.class).orElseThrow().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT usage_source, count(*) FROM llm_usage_metrics GROUP BY 1 ORDER BY 1")) {
            List<String> bySource = new ArrayList<>();
            while (rs.next()) {
                bySource.add(rs.getString(1) + "=" + rs.getLong(2));
            }
            assertThat(bySource).containsExactly("estimated=5", "reported=1");
        }
    }

    @Test
    void aCacheHitReplaysTheStreamAndStoresARowMarkedAsAHitWithTheCostSaved() throws SQLException {
        RateLimiter limiter = limiter();
        StreamRecorder recorder = pool.usage().streamRecorder().clock(clock).rateLimiter(limiter).shutdownHook(false)
                .cache(pool.cache(), Duration.ofMinutes(5)).build();
        recorders.add(recorder);
        Transcript t = Transcript.named("anthropic.sse");
        StreamCall call = t.call().cacheKey("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").build();
        assertThat(recorder.replayFromCache(call)).isEmpty();
        RecordedStream miss = recorder.open(call);
        feed(miss, t.bytes(), t.bytes().length, new Random(4));
        assertThat(miss.isEnded()).as("message_stop ends it").isTrue();

        StreamCall again = t.call().cacheKey(call.cacheKey()).reservation(limiter.reserve("hit", 5_000)).build();
        CachedStream hit = recorder.replayFromCache(again).orElseThrow();
        assertThat(hit.sse()).isEqualTo(t.bytes());
        pool.usage().buffered().flush();
        try (Connection c = pool.client(DataSource.class).orElseThrow().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT usage_source, token_input, token_output, cost_usd, cost_saved_usd,"
                     + " price_source FROM llm_usage_metrics ORDER BY usage_source")) {
            List<String> rows = new ArrayList<>();
            while (rs.next()) {
                rows.add(rs.getString(1) + " " + rs.getLong(2) + "/" + rs.getLong(3) + " cost=" + strip(rs.getBigDecimal(4))
                        + " saved=" + strip(rs.getBigDecimal(5)) + " " + rs.getString(6));
            }
            String cost = strip(miss.result().orElseThrow().metric().costUsd());
            assertThat(rows).containsExactly("cache_hit 1225/27 cost=0 saved=" + cost + " cache",
                    "reported 1225/27 cost=" + cost + " saved=null " + PriceCatalog.bundled().version());
        }
        assertThat(used(limiter, "hit")).as("a hit uses no provider tokens").isZero();
    }

    @Test
    void aStreamStillOpenWhenTheJvmIsTerminatedIsStoredOnceAsAnEstimate() throws Exception {
        File stderr = File.createTempFile("stream-child", ".log");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", StreamShutdownChild.class.getName(),
                server().databaseUrl(), schema).redirectError(stderr).start();
        UUID[] streaming = new UUID[1];
        try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line = in.readLine();
            assertThat(line).as("child stderr: %s", stderr).startsWith("STREAMING");
            child.destroy(); // SIGTERM while the stream is open
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        } finally {
            child.destroyForcibly();
        }
        Map<UUID, String> stored = storedColumns();
        assertThat(stored).as("child stderr:%n%s", String.join("\n", Files.readAllLines(stderr.toPath()))).hasSize(1);
        String columns = stored.values().iterator().next();
        Transcript t = Transcript.named("anthropic.sse");
        long out = Transcript.estimate(t.textBefore(StreamShutdownChild.cut(t)));
        assertThat(columns).startsWith("estimated|").contains("|shutdown|1225|" + out + "|");
        stderr.delete();
    }
}
