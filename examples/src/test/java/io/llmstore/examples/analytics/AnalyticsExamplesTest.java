package io.llmstore.examples.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmstore.core.event.LlmEvent;
import io.llmstore.core.price.PriceCatalog;
import io.llmstore.core.price.TokenUsage;
import io.llmstore.core.stats.PoolStats;
import io.llmstore.core.usage.ModelUsage;
import io.llmstore.core.usage.UsageBucket;
import io.llmstore.core.usage.UsageMetric;
import io.llmstore.examples.ExampleRun;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * Every Analytics Hub example runs on the real TimescaleDB, Redis and Kafka, each in its own schema, key prefix
 * and topic prefix; each test checks what the example printed and what it left in the backend.
 */
class AnalyticsExamplesTest {

    @Test
    void insertAMetricStoresOnePricedRow() throws Exception {
        ExampleRun run = ExampleRun.withoutKafka("insert_metric");

        UsageMetric m = InsertAMetric.run(run.config, run.out);

        // The bundled dataset's price at the call's time (gpt-4o: 2.5 in / 10 out per Mtok in dataset 0.1.8: $0.0065).
        BigDecimal expected = PriceCatalog.bundled().cost("openai", "gpt-4o", TokenUsage.of(1_200, 350), m.time())
                .orElseThrow().total();
        assertThat(m.costUsd()).isEqualByComparingTo(expected);
        assertThat(run.queryRows("SELECT model_id, provider, token_input, token_output, trim_scale(cost_usd), user_id, event_id "
                + "FROM llm_usage_metrics")).containsExactly("gpt-4o|openai|1200|350|"
                + expected.stripTrailingZeros().toPlainString() + "|user-42|" + m.eventId()); // stored exactly
        assertThat(run.printed()).contains("recorded " + m.eventId() + ": gpt-4o, 1550 tokens, $" + expected.toPlainString());
    }

    @Test
    void usageSummaryPrintsWhatTheTableHoldsPerModelAndProvider() throws Exception {
        ExampleRun run = ExampleRun.withoutKafka("usage_summary");

        List<ModelUsage> byModel = UsageSummary.run(run.config, run.out);

        assertThat(run.queryRows("SELECT model_id, count(*), sum(token_total), trim_scale(sum(cost_usd)) FROM llm_usage_metrics "
                + "GROUP BY model_id ORDER BY model_id")).containsExactly(
                "claude-haiku-4-5|1|3600|0.006", "gpt-4o|2|3600|0.0135", "gpt-4o-mini|1|5000|0.0012");
        assertThat(byModel).extracting(ModelUsage::modelId)
                .containsExactlyInAnyOrder("gpt-4o", "gpt-4o-mini", "claude-haiku-4-5");
        assertThat(run.printed()).containsPattern("gpt-4o +2 +3600 +0\\.0135")
                .containsPattern("provider openai +3 requests +0\\.0147")
                .containsPattern("provider anthropic +1 requests +0\\.006");
    }

    @Test
    void timeSeriesHasOneBucketPerHourWithThatHoursCalls() throws Exception {
        ExampleRun run = ExampleRun.withoutKafka("time_series");

        List<UsageBucket> series = TimeSeries.run(run.config, run.out);

        List<String> fromTable = run.queryRows("SELECT to_char(date_trunc('hour', time AT TIME ZONE 'UTC'), "
                + "'YYYY-MM-DD\"T\"HH24') || ':00:00Z', count(*), sum(token_total) FROM llm_usage_metrics GROUP BY 1 ORDER BY 1");
        assertThat(fromTable).hasSize(3);
        assertThat(series).extracting(b -> b.bucketStart() + "|" + b.requests() + "|" + b.tokenTotal())
                .containsExactlyElementsOf(fromTable);
        assertThat(series).extracting(UsageBucket::requests).containsExactly(1L, 2L, 3L);
        assertThat(run.printed()).contains("requests=3 tokens=3600 cost=0.0135").contains("avg latency=400 ms");
    }

    @Test
    void streamingUsageStoresOneRowPerStreamedCallTheCutOneEstimatedTheCachedOneAHit() throws Exception {
        ExampleRun run = ExampleRun.withoutKafka("streaming_usage");

        List<UsageMetric> rows = StreamingUsage.run(run.config, run.out);

        assertThat(rows).hasSize(3);
        assertThat(run.queryRows("SELECT usage_source, finish_reason, token_input, token_output, trim_scale(cost_usd),"
                + " cost_saved_usd IS NOT NULL, time_to_first_token_ms IS NOT NULL FROM llm_usage_metrics ORDER BY time"))
                .containsExactly(
                        "reported|stop|16|14|" + cost(16, 14) + "|f|t",
                        // the client went away while the second chunk was written: what the provider had streamed,
                        // "Hello! Bonjour" (14 code points), is 4 tokens; the input is the request's 146 characters / 4
                        "estimated|cancelled|37|4|" + cost(37, 4) + "|f|t",
                        "cache_hit|stop|16|14|0|t|t");
        assertThat(run.printed()).contains("call 2: cancelled, 37 in / 4 out tokens (estimated)",
                "call 3: replayed");
    }

    private static String cost(long in, long out) {
        return PriceCatalog.bundled().cost("openai", "gpt-4o-mini", TokenUsage.of(in, out), java.time.Instant.now())
                .orElseThrow().total().stripTrailingZeros().toPlainString();
    }

    @Test
    void responseCachingCallsTheLlmOnceAndLeavesTheAnswerInRedis() throws Exception {
        ExampleRun run = ExampleRun.withoutKafka("response_cache");

        int llmCalls = ResponseCaching.run(run.config, run.out);

        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest("What is the capital of France?".getBytes(StandardCharsets.UTF_8)));
        String key = run.redisPrefix() + "llm:response:gpt-4o:" + sha;
        assertThat(llmCalls).isEqualTo(1);
        assertThat(run.redisGet(key)).isEqualTo("Paris (LLM call #1)");
        assertThat(run.redisPttl(key)).isBetween(3_500_000L, 3_600_000L);
        assertThat(run.printed()).contains("ask #3: Paris (LLM call #1)", "LLM called 1 time(s); hits=2 misses=1")
                .doesNotContain("LLM call #2");
    }

    @Test
    void sessionsKeepAliceForThirtyMinutesAndForgetBob() {
        ExampleRun run = ExampleRun.withoutKafka("sessions");

        Sessions.run(run.config, run.out);

        String alice = run.redisPrefix() + "session:sess-alice";
        assertThat(run.redisGet(alice)).contains("\"user\":\"alice\"", "\"turns\":1");
        assertThat(run.redisPttl(alice)).isBetween(1_790_000L, 1_800_000L);
        assertThat(run.redisGet(run.redisPrefix() + "session:sess-bob")).isNull();
        assertThat(run.printed()).contains("user=alice", "alice touched: true", "bob logged out: true",
                "bob's session now: Optional.empty");
    }

    @Test
    void rateLimitingAllowsFiveCallsAndChargesTheActualTokens() {
        ExampleRun run = ExampleRun.withoutKafka("rate_limit");

        int granted = RateLimiting.run(run.config, run.out);

        assertThat(granted).isEqualTo(5);
        assertThat(run.redisGet(run.redisPrefix() + "ratelimit:{user:42}:rpm")).isEqualTo("5");
        assertThat(run.redisGet(run.redisPrefix() + "ratelimit:{user:42}:tpm")).isEqualTo("4000");
        assertThat(run.redisPttl(run.redisPrefix() + "ratelimit:{user:42}:rpm")).isBetween(1L, 60_000L);
        assertThat(run.printed()).contains("call 1: allowed, 4 left in rpm", "call 6: DENIED by rpm",
                "call 7: DENIED by rpm", "5 of 7 calls allowed");
    }

    @Test
    void publishedEventsAreOnTheTopicAndConsumedOnce() throws Exception {
        ExampleRun run = new ExampleRun("events");

        List<LlmEvent> consumed = PublishAndConsumeEvents.run(run.config, run.out);

        List<ConsumerRecord<String, String>> onTopic = run.records("llm-events", 3);
        assertThat(consumed).hasSize(3);
        assertThat(onTopic).hasSize(3);
        assertThat(onTopic.stream().map(ConsumerRecord::value).collect(Collectors.joining()))
                .contains(consumed.stream().map(e -> e.eventId().toString()).toArray(String[]::new));
        assertThat(onTopic).extracting(ConsumerRecord::key).containsExactlyInAnyOrder("user-1", "user-2", "user-1");
        assertThat(run.printed()).contains("published ", "to " + run.topicPrefix() + "llm-events-",
                "consumed " + consumed.get(0).eventId());
    }

    @Test
    void retryWithBackoffStoresTheRowOnceAfterTwoTransientFailures() throws Exception {
        ExampleRun run = ExampleRun.withoutKafka("retry");

        long start = System.nanoTime();
        int attempts = RetryWithBackoff.run(run.config, run.out);
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(attempts).isEqualTo(3);
        assertThat(run.queryOne("SELECT count(*) FROM llm_usage_metrics")).isEqualTo(1L);
        // Two waits of 100 ms and 200 ms, each randomized by +-50 % (DB_RETRY_JITTER): at least 150 ms in all.
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(150));
        assertThat(run.printed()).contains("attempt 1 at +", "attempt 3 at +", "after 3 attempts",
                "not retried (retryable=false), 1 attempt: syntax error (simulated)");
    }

    @Test
    void batchInsertStoresEveryRowOnceEvenWhenReplayed() throws Exception {
        ExampleRun run = ExampleRun.withoutKafka("batch");

        List<UsageMetric> batch = BatchInsert.run(run.config, run.out);

        assertThat(run.queryOne("SELECT count(*) FROM llm_usage_metrics")).isEqualTo((long) BatchInsert.ROWS);
        assertThat(run.queryOne("SELECT count(DISTINCT event_id) FROM llm_usage_metrics")).isEqualTo((long) batch.size());
        assertThat((BigDecimal) run.queryOne("SELECT sum(cost_usd) FROM llm_usage_metrics")).isEqualByComparingTo("5");
        assertThat(run.printed()).containsPattern("stored 10,000 rows in [0-9.]+ s \\([0-9,]+ rows/s\\)")
                .contains("replayed the same 10000 rows");
    }

    @Test
    void poolAndCacheStatsCountTheCacheHitsAndTheConnections() {
        ExampleRun run = ExampleRun.withoutKafka("stats");

        PoolStats stats = PoolAndCacheStats.run(run.config, run.out);

        assertThat(stats.caches().get("llm_response").hits()).isEqualTo(2);
        assertThat(stats.caches().get("llm_response").misses()).isEqualTo(2);
        assertThat(stats.postgres().orElseThrow().max()).isEqualTo(10);
        assertThat(run.redisKeys(run.redisPrefix() + "llm:response:gpt-4o-mini:*")).hasSize(2);
        assertThat(run.printed()).containsPattern("postgres: active=0 idle=\\d+ total=\\d+ max=10 waiting=0")
                .contains("cache llm_response: hits=2 misses=2 errors=0 hit rate=50%");
    }
}
