package io.llmstore.examples;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.event.EventSink;
import io.llmstore.core.event.LlmEvent;
import io.llmstore.core.event.PublishReceipt;
import io.llmstore.core.health.ComponentHealth;
import io.llmstore.core.health.HealthReport;
import io.llmstore.core.price.Cost;
import io.llmstore.core.price.PriceCatalog;
import io.llmstore.core.price.TokenUsage;
import io.llmstore.core.ratelimit.Decision;
import io.llmstore.core.ratelimit.RateLimit;
import io.llmstore.core.ratelimit.RateLimitPolicy;
import io.llmstore.core.ratelimit.RateLimiter;
import io.llmstore.core.usage.ModelUsage;
import io.llmstore.core.usage.UsageBucket;
import io.llmstore.core.usage.UsageFilter;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The demo: an application's day of LLM traffic on real servers, then the report a person wants.
 *
 * <p>2,400 calls from 12 users of an assistant, spread over the last 24 hours, across four models of three
 * providers. Each call is rate-limited per user in Redis (200 requests a minute; one heavy user runs into it), looked
 * up in the Redis response cache (repeated questions are answered without paying the LLM again), priced exactly from
 * the bundled price catalog, and, when the LLM was called, published to Kafka; the Kafka sink stores the events in
 * {@code llm_usage_metrics}, from which the report reads cost and tokens by model and the hourly series. Some LLM
 * calls fail (an error event, no cost). The report is printed and written as an HTML page with inline SVG charts.
 *
 * <p>Configuration comes from the environment ({@code DATABASE_URL}, {@code REDIS_URL},
 * {@code KAFKA_BOOTSTRAP_SERVERS}); {@code scripts/demo} starts local servers when none are set.
 */
public final class Demo {
    static final int CALLS = 2_400;
    private static final String[][] MODELS = {
        {"openai", "gpt-4o"}, {"openai", "gpt-4o-mini"}, {"anthropic", "claude-sonnet-4-5"}, {"google", "gemini-2.5-flash"}};
    private static final double[] MODEL_SHARE = {0.25, 0.40, 0.20, 0.15};
    private static final String[] TOPICS = {"refund policy", "reset a password", "shipping times", "cancel an order",
        "invoice copy", "change the delivery address", "warranty terms", "student discount", "gift cards",
        "two-factor login", "delete my account", "export my data"};
    static final int USERS = 12;
    private static final RateLimit PER_USER = RateLimit.of("requests-per-minute", 200, Duration.ofMinutes(1))
            .chargedPerCall();
    private static final double ERROR_RATE = 0.03;

    private Demo() {
    }

    /** What the demo did, for the caller (and its test) to check against what was stored. */
    public record Result(HealthReport health, int calls, int llmCalls, int cacheHits, int refusals, int errors,
                         int published, long stored, BigDecimal spentUsd, BigDecimal savedUsd, Path html) {
    }

    /** {@code scripts/demo [report.html]}: runs on the servers of the environment, writes the page. */
    public static void main(String[] args) throws Exception {
        Path html = Path.of(args.length > 0 ? args[0] : "llmstore-demo.html").toAbsolutePath();
        run(StorageConfig.fromEnv(), System.out, html);
    }

    /** Runs the workload against {@code config}, prints the report to {@code out} and writes it to {@code html}. */
    public static Result run(StorageConfig config, PrintStream out, Path html) throws Exception {
        out.println("config: " + config);
        String run = UUID.randomUUID().toString().substring(0, 8); // keeps this run's cache and limits its own
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Instant dayAgo = now.minus(Duration.ofHours(24));
        PriceCatalog prices = PriceCatalog.bundled();
        Random random = new Random(7);
        try (StoragePool pool = StoragePool.create(config)) {
            out.println("schema: " + pool.usage().migrate());
            RateLimiter limiter = pool.limits().limiter(RateLimitPolicy.of(PER_USER));
            EventSink sink = pool.events().sink().start(); // needs PostgreSQL and Kafka; else says what to set

            out.printf("%nworkload: %,d calls from %d users over the last 24 hours (run %s)%n", CALLS, USERS, run);
            int llmCalls = 0;
            int hits = 0;
            int refusals = 0;
            int errors = 0;
            BigDecimal saved = BigDecimal.ZERO;
            Map<Instant, BigDecimal> savedByHour = new TreeMap<>();
            Decision firstRefusal = null;
            List<CompletableFuture<PublishReceipt>> receipts = new ArrayList<>();
            for (int i = 0; i < CALLS; i++) {
                if (i > 0 && i % (CALLS / 4) == 0) {
                    progress(out, i, llmCalls, hits, refusals);
                }
                Instant at = dayAgo.plusMillis((long) ((i + random.nextDouble()) * Duration.ofHours(24).toMillis() / CALLS));
                // One heavy user sends a quarter of the traffic; the other eleven share the rest.
                String user = "user-" + (random.nextDouble() < 0.25 ? 1 : 2 + random.nextInt(USERS - 1));
                Decision d = limiter.tryAcquire(run + ":" + user);
                if (!d.allowed()) {
                    refusals++;
                    firstRefusal = firstRefusal == null ? d : firstRefusal;
                    continue;
                }
                String[] model = MODELS[pick(random, MODEL_SHARE)];
                // Questions repeat: a few topics are asked far more often than others, in a few dozen wordings.
                String prompt = "How do I handle: " + TOPICS[(int) Math.floor(Math.pow(random.nextDouble(), 2) * TOPICS.length)]
                        + " (wording " + random.nextInt(40) + ")? [" + run + "]";
                long in = 200 + random.nextInt(1_800);
                long outTokens = 50 + random.nextInt(600);
                BigDecimal cost = prices.cost(model[0], model[1], TokenUsage.of(in, outTokens), at).map(Cost::total)
                        .orElse(BigDecimal.ZERO);
                boolean fails = random.nextDouble() < ERROR_RATE;
                boolean[] called = {false};
                try {
                    pool.cache().getOrCompute(model[1], prompt, Duration.ofHours(1), () -> {
                        called[0] = true;
                        if (fails) {
                            throw new IllegalStateException("provider returned 503");
                        }
                        return "Here is how to handle that: ..."; // the LLM's answer
                    });
                } catch (IllegalStateException providerError) {
                    // a failed call is not cached; it is recorded as an error event below
                }
                if (!called[0]) {
                    hits++;
                    saved = saved.add(cost);
                    savedByHour.merge(at.truncatedTo(ChronoUnit.HOURS), cost, BigDecimal::add);
                    continue;
                }
                llmCalls++;
                LlmEvent.Builder event = LlmEvent.builder().timestamp(at).model(model[1]).provider(model[0]).user(user)
                        .latency(Duration.ofMillis(300 + random.nextInt(2_500))).attribute("environment", "demo")
                        .attribute("application_id", "support-assistant");
                if (fails) {
                    errors++;
                    event.type("error").tokens(in, 0);
                } else {
                    event.type("completion").tokens(in, outTokens).costUsd(cost);
                }
                receipts.add(pool.events().publish(event.build()));
            }
            progress(out, CALLS, llmCalls, hits, refusals);
            CompletableFuture.allOf(receipts.toArray(CompletableFuture[]::new)).get(2, TimeUnit.MINUTES);
            int published = receipts.size();

            UsageFilter day = UsageFilter.between(dayAgo, now.plusSeconds(1));
            long stored = awaitStored(pool, day, published, Duration.ofSeconds(60));
            List<ModelUsage> byModel = pool.analytics().usageByModel(day);
            List<UsageBucket> hourly = pool.analytics().hourly(day);
            BigDecimal spent = byModel.stream().map(ModelUsage::costUsd).reduce(BigDecimal.ZERO, BigDecimal::add);

            out.println("\ncost and tokens by model (llm_usage_metrics, last 24 h)");
            out.printf("  %-20s %9s %12s %12s%n", "model", "requests", "tokens", "cost");
            for (ModelUsage u : byModel) {
                out.printf("  %-20s %,9d %,12d %12s%n", u.modelId(), u.requests(), u.tokenTotal(), usd(u.costUsd()));
            }
            out.printf("  %-20s %,9d %,12d %12s%n", "total", byModel.stream().mapToLong(ModelUsage::requests).sum(),
                    byModel.stream().mapToLong(ModelUsage::tokenTotal).sum(), usd(spent));

            Map<Instant, BigDecimal> costByHour = new TreeMap<>();
            hourly.forEach(b -> costByHour.merge(b.bucketStart(), b.costUsd(), BigDecimal::add));
            BigDecimal peak = costByHour.values().stream().max(BigDecimal::compareTo).orElse(BigDecimal.ONE);
            out.println("\ncost per hour (llm_usage_hourly), hours in UTC");
            costByHour.forEach((hour, cost) -> out.printf("  %s  %10s  %s%n", hour.toString().substring(11, 16), usd(cost),
                    "#".repeat(peak.signum() == 0 ? 0 : cost.multiply(BigDecimal.valueOf(40)).divide(peak, 0,
                            RoundingMode.HALF_UP).intValue())));

            int answered = llmCalls + hits;
            out.println("\nresponse cache (Redis)");
            out.printf("  %,d of %,d answered calls from the cache (%.1f%% hit rate): %s not spent%n", hits, answered,
                    answered == 0 ? 0.0 : 100.0 * hits / answered, usd(saved));
            out.println("\nrate limits (Redis, " + PER_USER.limit() + " requests per minute per user)");
            out.printf("  %,d calls refused%s%n", refusals, firstRefusal == null ? ""
                    : "; the first: " + firstRefusal.limitName() + ", retry after " + firstRefusal.retryAfter().toMillis()
                    + " ms");
            out.println("\nevents (Kafka -> sink -> llm_usage_metrics)");
            out.printf("  %,d published, %,d stored, %,d dead-lettered; %,d of them errors%n", published, stored,
                    sink.stats().deadLettered(), errors);

            HealthReport health = pool.healthCheck();
            out.println("\nhealth");
            for (ComponentHealth c : health.components()) {
                out.printf("  %-20s %-8s in %d ms%n", c.component(), c.status(), c.latency().toMillis());
            }
            out.println("  overall " + health.status());

            Result result = new Result(health, CALLS, llmCalls, hits, refusals, errors, published, stored, spent, saved,
                    html);
            DemoPage.write(html, result, byModel, hourly, savedByHour);
            out.println("\nreport: " + html.toUri());
            return result;
        }
    }

    /** Requests the sink has stored in the window, once it reaches {@code expected} or the wait ends. */
    private static long awaitStored(StoragePool pool, UsageFilter day, long expected, Duration wait)
            throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        long stored;
        do {
            stored = pool.analytics().usageByModel(day).stream().mapToLong(ModelUsage::requests).sum();
            if (stored >= expected) {
                return stored;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        return stored;
    }

    private static void progress(PrintStream out, int done, int llmCalls, int hits, int refusals) {
        out.printf("  %,5d/%,d calls: %,d sent to the LLM, %,d answered from the cache, %,d refused%n", done, CALLS,
                llmCalls, hits, refusals);
    }

    private static int pick(Random random, double[] shares) {
        double r = random.nextDouble();
        for (int i = 0; i < shares.length - 1; i++) {
            r -= shares[i];
            if (r < 0) {
                return i;
            }
        }
        return shares.length - 1;
    }

    /** Every money figure of the demo, printed and on the page: US dollars with four decimals. */
    static String usd(BigDecimal amount) {
        return "$" + amount.setScale(4, RoundingMode.HALF_UP).toPlainString();
    }
}
