package io.llmstore.core.stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmstore.core.cache.ResponseCache;
import io.llmstore.core.price.ExtractedUsage;
import io.llmstore.core.price.PriceCatalog;
import io.llmstore.core.price.TokenUsage;
import io.llmstore.core.ratelimit.RateLimiter;
import io.llmstore.core.ratelimit.Reservation;
import io.llmstore.core.usage.UsageCostFiller;
import io.llmstore.core.usage.UsageMetric;
import io.llmstore.core.usage.UsageSource;
import io.llmstore.core.usage.UsageWriter;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records exactly one usage row per streamed LLM call, however the stream ends: completed, cancelled by the client,
 * timed out, failed, closed early, or cut by the JVM's shutdown. Wrap each provider stream in a
 * {@link RecordedStream} ({@link #open}) and feed it what passes through; the recorder picks the provider's usage up
 * where it arrives, measures time to first token and total latency, and when the stream ends writes one row with the
 * cost from the price catalog. An aborted stream's row is an estimate ({@link UsageSource#ESTIMATED}): output
 * counted from what was streamed ({@link TokenCounter}), input from the request. A reservation on the call is
 * settled with the row's total tokens.
 *
 * <pre>{@code
 * StreamRecorder streams = StreamRecorder.builder(pool.usage().buffered()).shutdownWriter(pool.usage())
 *         .rateLimiter(limiter).build();
 * try (RecordedStream s = streams.open(StreamCall.builder("openai", "gpt-4o-mini", StreamFormat.OPENAI_CHAT)
 *         .prompt(requestJson).reservation(limiter.reserve("user:42", 2_000)).build())) {
 *     for (byte[] chunk : upstream) { s.onBytes(chunk); client.write(chunk); }
 *     s.complete();
 * } // an exception or an early return ends it as closed_early: still one row
 * }</pre>
 *
 * <p>Ownership: the writers, limiter and cache are used as given and never closed. The recorder owns one daemon
 * thread (the idle-timeout sweep, unless the timeout is 0) and a JVM shutdown hook (unless turned off); both end
 * with {@link #close()}, which also ends every stream still open as {@link StreamEnd#SHUTDOWN}. Thread-safe.
 */
public final class StreamRecorder implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StreamRecorder.class);

    /** Default idle timeout: a stream with no chunk for this long is ended as {@link StreamEnd#TIMEOUT}. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(10);
    /** Default largest stream kept for the cache, in bytes (a longer one is streamed and recorded, not cached). */
    public static final int DEFAULT_MAX_CACHED_BYTES = 1 << 20;
    /** {@link UsageMetric#priceSource()} of a cache hit's zero cost. */
    public static final String PRICE_SOURCE_CACHE = "cache";
    private static final String CACHE_PREFIX = "llmstore-stream:";

    /**
     * Counters since the recorder was built.
     *
     * @param opened      streams opened
     * @param open        streams open now
     * @param reported    rows with the provider's usage
     * @param estimated   rows with estimated usage (aborted or usage-less streams)
     * @param cacheHits   rows of streams answered from the cache
     * @param writeFailures rows the writer refused (logged at WARN with the event id)
     */
    public record Stats(long opened, long open, long reported, long estimated, long cacheHits, long writeFailures) {
    }

    private final UsageWriter writer;
    private final UsageWriter shutdownWriter;
    private final PriceCatalog prices;
    private final UsageCostFiller costs;
    private final RateLimiter limiter;
    private final TokenCounter counter;
    private final Clock clock;
    private final Duration idleTimeout;
    private final ResponseCache cache;
    private final Duration cacheTtl;
    private final int maxCachedBytes;
    private final Set<RecordedStream> openStreams = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService sweeper;
    private final Thread shutdownHook;
    private volatile boolean closed;

    private final AtomicLong opened = new AtomicLong();
    private final AtomicLong reported = new AtomicLong();
    private final AtomicLong estimated = new AtomicLong();
    private final AtomicLong cacheHits = new AtomicLong();
    private final AtomicLong writeFailures = new AtomicLong();

    private StreamRecorder(Builder b) {
        this.writer = b.writer;
        this.shutdownWriter = b.shutdownWriter != null ? b.shutdownWriter : b.writer;
        this.prices = b.prices;
        this.costs = UsageCostFiller.fromCatalog(b.prices);
        this.limiter = b.limiter;
        this.counter = b.counter;
        this.clock = b.clock;
        this.idleTimeout = b.idleTimeout;
        this.cache = b.cache;
        this.cacheTtl = b.cacheTtl;
        this.maxCachedBytes = b.maxCachedBytes;
        if (idleTimeout.isZero()) {
            sweeper = null;
        } else {
            sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "llmstore-stream-idle-sweep");
                t.setDaemon(true);
                return t;
            });
            long every = Math.max(10, Math.min(1_000, idleTimeout.toMillis() / 4));
            sweeper.scheduleWithFixedDelay(this::expireIdle, every, every, TimeUnit.MILLISECONDS);
        }
        shutdownHook = b.shutdownHook ? new Thread(this::endAllAtShutdown, "llmstore-stream-shutdown") : null;
        if (shutdownHook != null) {
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }
    }

    /** A builder recording rows with {@code writer} (typically {@code pool.usage().buffered()}; not closed). */
    public static Builder builder(UsageWriter writer) {
        return new Builder(writer);
    }

    /**
     * Starts recording one streamed call: its row's time is now; the stream's first end writes the row.
     *
     * @throws IllegalArgumentException when a field of the call cannot be stored in a row (e.g. a user id over 255
     *                                  characters), naming it
     * @throws IllegalStateException    after {@link #close()}
     */
    public RecordedStream open(StreamCall call) {
        Objects.requireNonNull(call, "call");
        if (closed) {
            throw new IllegalStateException("StreamRecorder is closed");
        }
        Instant start = clock.instant();
        // The row's fields are checked now, so an invalid call fails here, to the caller, not when the stream ends.
        base(call, start, TokenUsage.NONE, 0).build();
        boolean capture = cache != null && call.cacheKey() != null;
        RecordedStream s = new RecordedStream(this, call, start, counter, capture);
        openStreams.add(s);
        opened.incrementAndGet();
        if (closed) { // closed meanwhile: this stream must not outlive the shutdown sweep unrecorded
            s.end(StreamEnd.SHUTDOWN);
        }
        return s;
    }

    /**
     * The cached stream for {@code call} (same model, format and cache key), to replay to the client instead of
     * calling the provider. A hit records one row at once: the cached call's tokens, {@link UsageSource#CACHE_HIT},
     * a cost of 0 and the cost it saved ({@code costSavedUsd}, from the price catalog now); the call's reservation
     * is released (no provider tokens were used). Empty, recording nothing, on a miss, without a cache or a cache
     * key.
     */
    public Optional<CachedStream> replayFromCache(StreamCall call) {
        Objects.requireNonNull(call, "call");
        if (cache == null || call.cacheKey() == null) {
            return Optional.empty();
        }
        Instant start = clock.instant();
        Optional<byte[]> bytes = cache.getBytes(call.model(), cacheKey(call));
        CachedStream hit = bytes.map(CachedStream::fromBytes).orElse(null);
        if (hit == null || hit.format() != call.format()) {
            return Optional.empty();
        }
        UsageMetric row = base(call, start, hit.usage(), Duration.between(start, clock.instant()).toNanos() / 1e6)
                .usageSource(UsageSource.CACHE_HIT).timeToFirstTokenMs(0.0).finishReason(hit.finishReason())
                .build();
        BigDecimal saved = costs.costOf(row);
        row = row.toBuilder().costUsd(BigDecimal.ZERO).priceSource(PRICE_SOURCE_CACHE).costSavedUsd(saved).build();
        cacheHits.incrementAndGet();
        write(row, false);
        release(call.reservation());
        return Optional.of(hit);
    }

    /** Counters now. */
    public Stats stats() {
        return new Stats(opened.get(), openStreams.size(), reported.get(), estimated.get(), cacheHits.get(),
                writeFailures.get());
    }

    /**
     * Ends every stream still open as {@link StreamEnd#SHUTDOWN} (each writes its row), stops the idle sweep and
     * removes the shutdown hook. Idempotent; the writers, limiter and cache stay open.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (sweeper != null) {
            sweeper.shutdownNow();
        }
        if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shutdownInProgress) {
                // the hook runs now and finds the streams ended
            }
        }
        endAll();
    }

    private void endAllAtShutdown() {
        closed = true;
        endAll();
    }

    private void endAll() {
        for (RecordedStream s : List.copyOf(openStreams)) {
            s.end(StreamEnd.SHUTDOWN);
        }
    }

    /** Ends streams idle for longer than the idle timeout (run by the sweep thread). */
    void expireIdle() {
        long now = clock.millis();
        for (RecordedStream s : openStreams) {
            if (now - s.lastActivityMillis >= idleTimeout.toMillis()) {
                try {
                    s.end(StreamEnd.TIMEOUT);
                } catch (RuntimeException e) {
                    // An unexpected failure must not cancel the sweep (a scheduled task that throws never runs again).
                    log.error("ending idle stream {} failed", s, e);
                }
            }
        }
    }

    // ------------------------------------------------------------------ called by RecordedStream

    Instant now() {
        return clock.instant();
    }

    long nowMillis() {
        return clock.millis();
    }

    int maxCachedBytes() {
        return maxCachedBytes;
    }

    long inputEstimate(StreamCall call) {
        if (call.inputTokens() >= 0) {
            return call.inputTokens();
        }
        if (call.prompt() == null) {
            return 0;
        }
        return counter == null ? TokenCounter.CHARS_DIV_4.count(call.prompt()) : counter.count(call.prompt());
    }

    /** The usage in {@code body}, read by the call's provider's extractor, else the format's; null when none reads it. */
    TokenUsage extract(StreamCall call, JsonNode body) {
        try {
            Optional<ExtractedUsage> u = prices.extractUsage(call.provider(), body, null);
            if (u.isPresent()) {
                return u.get().usage();
            }
        } catch (IllegalArgumentException e) {
            // the call's provider reads another shape: try the format's reference provider
        }
        try {
            return prices.extractUsage(call.format().referenceProvider(), body, call.format().apiFlavor())
                    .map(ExtractedUsage::usage).orElse(null);
        } catch (IllegalArgumentException e) {
            log.debug("stream usage of {}/{} not readable: {}", call.provider(), call.model(), e.getMessage());
            return null;
        }
    }

    StreamResult finish(RecordedStream s, TokenUsage usage, boolean isEstimate, StreamEnd end, String reason,
                        Double ttftMs, double latencyMs, boolean atShutdown) {
        StreamCall call = s.call();
        UsageMetric.Builder b = base(call, s.start(), usage, latencyMs)
                .usageSource(isEstimate ? UsageSource.ESTIMATED : UsageSource.REPORTED)
                .timeToFirstTokenMs(ttftMs).finishReason(reason);
        if (end == StreamEnd.ERROR || end == StreamEnd.TIMEOUT) {
            b.errors(1);
        }
        UsageMetric row = b.build();
        if (row.tokenTotal() > 0) {
            try {
                row = costs.fill(row);
            } catch (RuntimeException e) {
                // The row is still written, without a cost (the writer's own filler may price it).
                log.warn("pricing stream row {} ({}/{}) failed: {}", row.eventId(), row.provider(), row.modelId(), e.toString());
            }
        }
        (isEstimate ? estimated : reported).incrementAndGet();
        boolean ok = write(row, atShutdown);
        Reservation r = call.reservation();
        if (r != null && limiter != null) {
            try {
                limiter.settle(r, row.tokenTotal());
            } catch (RuntimeException e) {
                log.warn("settling the reservation of stream row {} failed: {}", row.eventId(), e.toString());
            }
        }
        if (end == StreamEnd.COMPLETED && cache != null && call.cacheKey() != null) {
            CachedStream c = s.cached(usage, row.usageSource(), reason);
            if (c != null) {
                try {
                    cache.putBytes(call.model(), cacheKey(call), c.toBytes(), cacheTtl);
                } catch (RuntimeException e) {
                    log.warn("caching stream of {}/{} failed: {}", call.provider(), call.model(), e.toString());
                }
            }
        }
        openStreams.remove(s);
        return new StreamResult(row, end, ok);
    }

    private static UsageMetric.Builder base(StreamCall call, Instant start, TokenUsage usage, double latencyMs) {
        UsageMetric.Builder b = UsageMetric.builder().time(start).provider(call.provider()).model(call.model())
                .latencyMs(latencyMs).user(call.userId()).application(call.applicationId())
                .environment(call.environment()).metadata(call.metadata());
        if (usage.cacheReadTokens() == 0 && usage.cacheWriteTokens() == 0 && usage.outputReasoningTokens() == 0) {
            b.tokens(usage.inputTokens(), usage.outputTokens());
        } else {
            b.tokens(usage);
        }
        return b;
    }

    private boolean write(UsageMetric row, boolean atShutdown) {
        try {
            (atShutdown ? shutdownWriter : writer).record(row);
            return true;
        } catch (RuntimeException e) {
            writeFailures.incrementAndGet();
            log.warn("stream usage row {} ({}/{}) not recorded: {}", row.eventId(), row.provider(), row.modelId(),
                    e.toString());
            return false;
        }
    }

    private void release(Reservation r) {
        if (r != null && limiter != null) {
            try {
                limiter.release(r);
            } catch (RuntimeException e) {
                log.warn("releasing a reservation of key {} failed: {}", r.key(), e.toString());
            }
        }
    }

    private static String cacheKey(StreamCall call) {
        return CACHE_PREFIX + call.format().name() + ":" + call.cacheKey();
    }

    @Override
    public String toString() {
        return "StreamRecorder{writer=" + writer + ", prices=" + prices + ", limiter=" + (limiter != null)
                + ", cache=" + (cache != null) + ", idleTimeout=" + idleTimeout + ", " + stats() + "}";
    }

    /** Builds a {@link StreamRecorder}; values are checked in the setters. Not thread-safe. */
    public static final class Builder {
        private final UsageWriter writer;
        private UsageWriter shutdownWriter;
        private PriceCatalog prices = PriceCatalog.bundled();
        private RateLimiter limiter;
        private TokenCounter counter;
        private Clock clock = Clock.systemUTC();
        private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
        private ResponseCache cache;
        private Duration cacheTtl;
        private int maxCachedBytes = DEFAULT_MAX_CACHED_BYTES;
        private boolean shutdownHook = true;

        private Builder(UsageWriter writer) {
            this.writer = Objects.requireNonNull(writer, "writer");
        }

        /**
         * The writer for rows of streams still open at JVM shutdown; default the main writer. Give the synchronous
         * {@code pool.usage()} when the main writer is {@code pool.usage().buffered()}: JVM shutdown hooks run at once,
         * and the buffer's own hook may close it before this recorder's hook writes.
         */
        public Builder shutdownWriter(UsageWriter writer) {
            this.shutdownWriter = Objects.requireNonNull(writer, "shutdownWriter");
            return this;
        }

        /** Prices rows (and reads usage with its extractors); default {@link PriceCatalog#bundled()}. */
        public Builder prices(PriceCatalog catalog) {
            this.prices = Objects.requireNonNull(catalog, "prices");
            return this;
        }

        /** Settles (and on a cache hit releases) the calls' reservations; none by default. */
        public Builder rateLimiter(RateLimiter limiter) {
            this.limiter = Objects.requireNonNull(limiter, "rateLimiter");
            return this;
        }

        /** Counts tokens for estimates; default code points / 4 ({@link TokenCounter#CHARS_DIV_4}). */
        public Builder tokenCounter(TokenCounter counter) {
            this.counter = Objects.requireNonNull(counter, "tokenCounter") == TokenCounter.CHARS_DIV_4 ? null : counter;
            return this;
        }

        /** Time source for the row's time, latency, time to first token and the idle timeout; default UTC. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * A stream with no chunk for this long is ended as {@link StreamEnd#TIMEOUT}; default
         * 10 minutes ({@link #DEFAULT_IDLE_TIMEOUT}); {@link Duration#ZERO} turns the sweep (and its thread) off.
         */
        public Builder idleTimeout(Duration timeout) {
            if (timeout == null || timeout.isNegative()) {
                throw new IllegalArgumentException("idleTimeout must be >= 0 (0 = off), was " + timeout);
            }
            this.idleTimeout = timeout;
            return this;
        }

        /** Caches completed streams of calls with a cache key in {@code cache} (Redis or local) for {@code ttl}. */
        public Builder cache(ResponseCache cache, Duration ttl) {
            Objects.requireNonNull(cache, "cache");
            if (ttl == null || ttl.toMillis() < 1) {
                throw new IllegalArgumentException("cache ttl must be >= 1ms, was " + ttl);
            }
            this.cache = cache;
            this.cacheTtl = ttl;
            return this;
        }

        /** Largest stream kept for the cache, in bytes (UTF-16 units for events); default 1 MiB. */
        public Builder maxCachedBytes(int bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("maxCachedBytes must be >= 1, was " + bytes);
            }
            this.maxCachedBytes = bytes;
            return this;
        }

        /** Whether a JVM shutdown hook ends (and records) the streams still open; default true. */
        public Builder shutdownHook(boolean enabled) {
            this.shutdownHook = enabled;
            return this;
        }

        public StreamRecorder build() {
            return new StreamRecorder(this);
        }
    }
}
