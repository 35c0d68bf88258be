package io.llmstore.core.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.llmstore.core.cache.LocalResponseCache;
import io.llmstore.core.price.PriceCatalog;
import io.llmstore.core.price.TokenUsage;
import io.llmstore.core.ratelimit.LocalRateLimiters;
import io.llmstore.core.ratelimit.MutableClock;
import io.llmstore.core.ratelimit.RateLimit;
import io.llmstore.core.ratelimit.RateLimitPolicy;
import io.llmstore.core.ratelimit.RateLimiter;
import io.llmstore.core.ratelimit.Reservation;
import io.llmstore.core.usage.UsageMetric;
import io.llmstore.core.usage.UsageSource;
import io.llmstore.core.usage.UsageWriter;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The recorder over every provider transcript, in memory (the rows through the real PostgreSQL writer are proven by
 * the timescale module's {@code StreamRecorderPostgresTest}). Time comes from a clock the test moves.
 */
class StreamRecorderTest {
    static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
    static final long TPM = 100_000;

    final MutableClock clock = new MutableClock(T0);
    final List<UsageMetric> rows = new CopyOnWriteArrayList<>();
    final UsageWriter writer = new UsageWriter() {
        @Override
        public void record(UsageMetric metric) {
            rows.add(metric);
        }

        @Override
        public void recordAll(List<UsageMetric> metrics) {
            rows.addAll(metrics);
        }
    };
    final RateLimiter limiter = new LocalRateLimiters(clock).limiter(RateLimitPolicy.of(
            RateLimit.of("tpm", TPM, Duration.ofMinutes(1))));
    final List<StreamRecorder> recorders = new ArrayList<>();

    StreamRecorder recorder(Consumer<StreamRecorder.Builder> extra) {
        StreamRecorder.Builder b = StreamRecorder.builder(writer).clock(clock).rateLimiter(limiter).shutdownHook(false)
                .idleTimeout(Duration.ZERO);
        extra.accept(b);
        StreamRecorder r = b.build();
        recorders.add(r);
        return r;
    }

    @AfterEach
    void closeRecorders() {
        recorders.forEach(StreamRecorder::close);
    }

    /** Feeds {@code bytes} in random pieces of 1..64 bytes, moving the clock 5 ms per piece. */
    void feed(RecordedStream s, byte[] bytes, int length, Random random) {
        int i = 0;
        while (i < length) {
            int n = Math.min(length - i, 1 + random.nextInt(64));
            clock.advance(Duration.ofMillis(5));
            s.onBytes(java.util.Arrays.copyOfRange(bytes, i, i + n));
            i += n;
        }
    }

    long used(String key) {
        return TPM - limiter.tryAcquire(key, 1).remaining() - 1;
    }

    @Test
    void everyTranscriptReplayedInRandomPiecesRecordsOneRowWithTheTranscriptsUsageCostAndTimings() {
        StreamRecorder recorder = recorder(b -> { });
        Random random = new Random(7);
        for (Transcript t : Transcript.all()) {
            rows.clear();
            String key = "user:" + t.name();
            Reservation r = limiter.reserve(key, 5_000);
            RecordedStream s = recorder.open(t.call().reservation(r).build());
            clock.advance(Duration.ofMillis(300)); // the provider thinks before its first chunk
            feed(s, t.bytes(), t.bytes().length, random);
            StreamResult result = s.complete();

            assertThat(rows).as(t.name()).hasSize(1);
            UsageMetric m = rows.get(0);
            assertThat(result.metric()).isEqualTo(m);
            assertThat(m.time()).isEqualTo(s.start());
            assertThat(m.provider()).isEqualTo(t.provider());
            assertThat(m.modelId()).isEqualTo(t.model());
            assertThat(result.end()).as(t.name()).isEqualTo(StreamEnd.COMPLETED);
            assertThat(m.finishReason()).as(t.name()).isEqualTo(t.finishReason());
            TokenUsage expected = t.reported() != null ? t.reported()
                    : TokenUsage.of(Transcript.estimate(Transcript.PROMPT), Transcript.estimate(t.text()));
            assertThat(m.usageSource()).as(t.name())
                    .isEqualTo(t.reported() != null ? UsageSource.REPORTED : UsageSource.ESTIMATED);
            assertThat(m.tokenInput()).as(t.name()).isEqualTo(expected.inputTokens());
            assertThat(m.tokenOutput()).as(t.name()).isEqualTo(expected.outputTokens());
            assertThat(m.tokenCacheRead() == null ? 0 : m.tokenCacheRead()).isEqualTo(expected.cacheReadTokens());
            BigDecimal cost = PriceCatalog.bundled().cost(t.provider(), t.model(), expected, T0).orElseThrow().total();
            assertThat(m.costUsd()).as(t.name()).isPositive().isEqualByComparingTo(cost);
            assertThat(m.timeToFirstTokenMs()).as(t.name()).isGreaterThanOrEqualTo(305.0).isLessThan(m.avgLatencyMs());
            assertThat(m.avgLatencyMs()).isEqualTo(Duration.between(s.start(), clock.instant()).toNanos() / 1e6);
            assertThat(m.errorCount()).isZero();
            assertThat(used(key)).as("reservation of %s settled with the row's total", t.name())
                    .isEqualTo(m.tokenTotal());
        }
    }

    @Test
    void streamsCutAtRandomBytesRecordExactlyOneRowEachEstimatedUnlessTheFinalUsageHadArrived() {
        StreamRecorder recorder = recorder(b -> { });
        Random random = new Random(11);
        int checked = 0;
        for (Transcript t : Transcript.all()) {
            List<Integer> cuts = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                cuts.add(random.nextInt(t.bytes().length));
            }
            for (int end : t.eventEnds()) { // right at and around each event's end
                cuts.add(Math.max(0, end - 1));
                cuts.add(Math.min(t.bytes().length, end));
            }
            for (int cut : cuts) {
                rows.clear();
                String key = "cut:" + t.name() + ":" + cut + ":" + checked;
                Reservation r = limiter.reserve(key, 4_000);
                RecordedStream s = recorder.open(t.call().reservation(r).build());
                feed(s, t.bytes(), cut, random);
                StreamResult result = s.cancel();
                s.close(); // a second end changes nothing

                String what = t.name() + " cut at " + cut;
                assertThat(rows).as(what).hasSize(1);
                UsageMetric m = rows.get(0);
                boolean completed = t.usageFinalWithin(cut) || (t.reported() == null && cut >= t.bytes().length);
                if (t.usageFinalWithin(cut)) {
                    assertThat(m.usageSource()).as(what).isEqualTo(UsageSource.REPORTED);
                    assertThat(m.tokenInput()).as(what).isEqualTo(t.reported().inputTokens());
                    assertThat(m.tokenOutput()).as(what).isEqualTo(t.reported().outputTokens());
                } else {
                    assertThat(m.usageSource()).as(what).isEqualTo(UsageSource.ESTIMATED);
                    assertThat(m.tokenOutput()).as(what).isEqualTo(Transcript.estimate(t.textBefore(cut)));
                    long input = t.partialInputWithin(cut) ? t.partialInput() : Transcript.estimate(Transcript.PROMPT);
                    assertThat(m.tokenInput()).as(what).isEqualTo(input);
                }
                assertThat(result.end()).as(what).isEqualTo(completed ? StreamEnd.COMPLETED : StreamEnd.CANCELLED);
                assertThat(m.finishReason()).as(what).isEqualTo(completed ? t.finishReason() : "cancelled");
                assertThat(m.timeToFirstTokenMs() != null).as(what).isEqualTo(!t.textBefore(cut).isEmpty());
                assertThat(used(key)).as(what).isEqualTo(m.tokenTotal());
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(6 * 40);
    }

    @Test
    void eachWayOfEndingRecordsOneRowAndSettlesTheReservation() {
        Transcript t = Transcript.named("anthropic.sse");
        int half = t.eventEnds().get(5); // message_start and a few text deltas, no final usage
        long expectedOut = Transcript.estimate(t.textBefore(half));
        record Way(String name, StreamEnd end, String reason, long errors, java.util.function.Function<RecordedStream, Object> how) {
        }
        StreamRecorder recorder = recorder(b -> { });
        List<Way> ways = List.of(
                new Way("client cancel", StreamEnd.CANCELLED, "cancelled", 0, RecordedStream::cancel),
                new Way("exception", StreamEnd.ERROR, "error", 1, s -> s.fail(new java.io.IOException("reset"))),
                new Way("closed early", StreamEnd.CLOSED_EARLY, "closed_early", 0, s -> {
                    s.close();
                    return null;
                }),
                new Way("upstream ended without message_stop", StreamEnd.INCOMPLETE, "incomplete", 0, RecordedStream::complete));
        for (Way w : ways) {
            rows.clear();
            String key = "way:" + w.name();
            RecordedStream s = recorder.open(t.call().reservation(limiter.reserve(key, 3_000)).build());
            feed(s, t.bytes(), half, new Random(1));
            w.how().apply(s);
            s.complete();
            s.cancel();
            assertThat(rows).as(w.name()).hasSize(1);
            UsageMetric m = rows.get(0);
            assertThat(s.result().orElseThrow().end()).as(w.name()).isEqualTo(w.end());
            assertThat(m.finishReason()).as(w.name()).isEqualTo(w.reason());
            assertThat(m.usageSource()).isEqualTo(UsageSource.ESTIMATED);
            assertThat(m.tokenInput()).as("message_start's input is kept").isEqualTo(1225);
            assertThat(m.tokenCacheRead()).isEqualTo(1200);
            assertThat(m.tokenOutput()).isEqualTo(expectedOut);
            assertThat(m.errorCount()).as(w.name()).isEqualTo(w.errors());
            assertThat(m.costUsd()).isPositive();
            assertThat(used(key)).as(w.name()).isEqualTo(1225 + expectedOut);
        }
    }

    @Test
    void aStreamTheConsumerStoppedReadingIsEndedByTheIdleTimeout() {
        StreamRecorder recorder = recorder(b -> b.idleTimeout(Duration.ofSeconds(30)));
        Transcript t = Transcript.named("openai-chat.sse");
        int cut = t.eventEnds().get(6);
        RecordedStream idle = recorder.open(t.call().reservation(limiter.reserve("idle", 2_000)).build());
        feed(idle, t.bytes(), cut, new Random(3));
        RecordedStream busy = recorder.open(t.call().build());
        clock.advance(Duration.ofSeconds(29));
        busy.onBytes(new byte[] {':', '\n'}); // a keep-alive comment is activity
        clock.advance(Duration.ofSeconds(2));
        await().atMost(Duration.ofSeconds(10)).until(idle::isEnded);
        assertThat(rows).hasSize(1);
        assertThat(busy.isEnded()).isFalse();
        UsageMetric m = rows.get(0);
        assertThat(idle.result().orElseThrow().end()).isEqualTo(StreamEnd.TIMEOUT);
        assertThat(m.finishReason()).isEqualTo("timeout");
        assertThat(m.errorCount()).isEqualTo(1);
        assertThat(m.tokenOutput()).isEqualTo(Transcript.estimate(t.textBefore(cut)));
        assertThat(used("idle")).isEqualTo(m.tokenTotal());
        assertThat(recorder.stats().open()).isEqualTo(1);
    }

    @Test
    void closingTheRecorderEndsEveryOpenStreamAsShutdownWithTheShutdownWriter() {
        List<UsageMetric> direct = Collections.synchronizedList(new ArrayList<>());
        UsageWriter sync = new UsageWriter() {
            @Override
            public void record(UsageMetric metric) {
                direct.add(metric);
            }

            @Override
            public void recordAll(List<UsageMetric> metrics) {
                direct.addAll(metrics);
            }
        };
        StreamRecorder recorder = recorder(b -> b.shutdownWriter(sync));
        Transcript t = Transcript.named("gemini.sse");
        RecordedStream a = recorder.open(t.call().reservation(limiter.reserve("sd", 1_000)).build());
        feed(a, t.bytes(), t.eventEnds().get(1), new Random(5));
        RecordedStream b = recorder.open(t.call().build());
        recorder.close();
        assertThat(rows).isEmpty();
        assertThat(direct).hasSize(2).allSatisfy(m -> {
            assertThat(m.finishReason()).isEqualTo("shutdown");
            assertThat(m.usageSource()).isEqualTo(UsageSource.ESTIMATED);
        });
        assertThat(a.result().orElseThrow().metric().tokenInput()).as("Gemini's chunks report the input").isEqualTo(8);
        assertThat(b.result().orElseThrow().metric().tokenOutput()).isZero();
        assertThat(used("sd")).isEqualTo(a.result().orElseThrow().metric().tokenTotal());
        a.close();
        assertThat(direct).hasSize(2);
    }

    @Test
    void aCompletedStreamIsCachedAndAHitReplaysItRecordingOneRowWithTheCostSaved() {
        LocalResponseCache cache = new LocalResponseCache(100, Duration.ofHours(1), Duration.ofSeconds(1), clock);
        StreamRecorder recorder = recorder(b -> b.cache(cache, Duration.ofHours(1)));
        Transcript t = Transcript.named("openai-chat.sse");
        StreamCall call = t.call().cacheKey("{\"messages\":[\"capital of France?\"]}").build();
        assertThat(recorder.replayFromCache(call)).isEmpty();
        assertThat(rows).isEmpty();
        RecordedStream s = recorder.open(call);
        feed(s, t.bytes(), t.bytes().length, new Random(9));
        assertThat(rows).hasSize(1);

        Reservation r = limiter.reserve("hit", 2_000);
        CachedStream hit = recorder.replayFromCache(StreamCall.builder(call.provider(), call.model(), call.format())
                .cacheKey(call.cacheKey()).reservation(r).user("u2").build()).orElseThrow();
        assertThat(hit.sse()).isEqualTo(t.bytes());
        assertThat(rows).hasSize(2);
        UsageMetric m = rows.get(1);
        assertThat(m.usageSource()).isEqualTo(UsageSource.CACHE_HIT);
        assertThat(m.userId()).isEqualTo("u2");
        assertThat(m.tokenInput()).isEqualTo(19);
        assertThat(m.tokenOutput()).isEqualTo(18);
        assertThat(m.costUsd()).isZero();
        assertThat(m.priceSource()).isEqualTo(StreamRecorder.PRICE_SOURCE_CACHE);
        assertThat(m.costSavedUsd()).isPositive().isEqualByComparingTo(rows.get(0).costUsd());
        assertThat(m.finishReason()).isEqualTo("stop");
        assertThat(used("hit")).as("a hit releases the reservation").isZero();

        // An aborted stream is not cached.
        StreamCall other = t.call().cacheKey("another").build();
        RecordedStream cut = recorder.open(other);
        feed(cut, t.bytes(), t.eventEnds().get(3), new Random(2));
        cut.cancel();
        assertThat(recorder.replayFromCache(other)).isEmpty();
        assertThat(recorder.stats().cacheHits()).isEqualTo(1);
    }

    @Test
    void eventsFedOneByOneAndFrameworkCallbacksGiveTheSameRowAsTheBytes() {
        StreamRecorder recorder = recorder(b -> { });
        Transcript t = Transcript.named("bedrock-converse.sse");
        RecordedStream s = recorder.open(t.call().build());
        String text = new String(t.bytes(), java.nio.charset.StandardCharsets.UTF_8);
        for (String block : text.split("\n\n")) {
            String[] lines = block.split("\n");
            s.onEvent(lines[0].substring("event: ".length()), lines[1].substring("data: ".length()));
        }
        assertThat(s.isEnded()).as("Bedrock's metadata event ends the stream").isTrue();
        // The SDK's union form, {"metadata": {...}}, reads the same.
        RecordedStream wrapped = recorder.open(t.call().build());
        wrapped.onEvent("{\"contentBlockDelta\":{\"delta\":{\"text\":\"Hi\"},\"contentBlockIndex\":0}}");
        wrapped.onEvent("{\"metadata\":{\"usage\":{\"inputTokens\":30,\"outputTokens\":9,\"totalTokens\":39}}}");
        // A framework's callbacks (LangChain4j onPartialResponse / onCompleteResponse).
        RecordedStream framework = recorder.open(t.call().build());
        framework.onText("Bedrock streams");
        framework.onUsage(TokenUsage.of(30, 9));
        framework.onFinishReason("end_turn");
        framework.complete();
        assertThat(rows).hasSize(3).allSatisfy(m -> {
            assertThat(m.tokenInput()).isEqualTo(30);
            assertThat(m.tokenOutput()).isEqualTo(9);
            assertThat(m.usageSource()).isEqualTo(UsageSource.REPORTED);
        });
        assertThat(rows.get(0).finishReason()).isEqualTo("end_turn");
        assertThat(rows.get(2).finishReason()).isEqualTo("end_turn");
    }

    @Test
    void malformedEventsAreIgnoredAndAProviderErrorEventEndsTheStreamAsAnError() {
        StreamRecorder recorder = recorder(b -> { });
        RecordedStream s = recorder.open(StreamCall.builder("anthropic", "claude-sonnet-4-5", StreamFormat.ANTHROPIC)
                .inputTokens(100).build());
        s.onBytes("data: {not json\n\nevent: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"delta\":{\"text\":\"abcdefgh\"}}\n\n"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        s.onBytes("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(s.isEnded()).isTrue();
        UsageMetric m = rows.get(0);
        assertThat(s.result().orElseThrow().end()).isEqualTo(StreamEnd.ERROR);
        assertThat(m.errorCount()).isEqualTo(1);
        assertThat(m.tokenInput()).isEqualTo(100);
        assertThat(m.tokenOutput()).isEqualTo(2);
        assertThat(m.usageSource()).isEqualTo(UsageSource.ESTIMATED);
    }

    @Test
    void aCallWhoseRowCouldNotBeStoredIsRefusedAtOpenNotAtItsEnd() {
        StreamRecorder recorder = recorder(b -> { });
        StreamCall call = Transcript.named("openai-chat.sse").call().user("u".repeat(256)).build();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> recorder.open(call))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("userId must be at most 255 characters, was 256");
        assertThat(recorder.stats().open()).isZero();
    }

    @Test
    void garbledStreamsNeverThrowIntoTheApplicationAndStillGiveOneRowEach() {
        StreamRecorder recorder = recorder(b -> { });
        Random random = new Random(23);
        int streams = 0;
        for (Transcript t : Transcript.all()) {
            for (int i = 0; i < 30; i++) {
                rows.clear();
                byte[] bytes = t.bytes().clone();
                for (int k = 0; k < 1 + random.nextInt(20); k++) { // flip bytes anywhere: JSON, field names, line ends
                    bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
                }
                RecordedStream s = recorder.open(t.call().build());
                feed(s, bytes, bytes.length, random);
                s.close();
                assertThat(rows).as("%s garbled #%d", t, i).hasSize(1);
                streams++;
            }
        }
        assertThat(streams).isEqualTo(6 * 30);
    }
}
