package io.llmstore.examples;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.event.LlmEvent;
import io.llmstore.core.health.ComponentHealth;
import io.llmstore.core.health.HealthReport;
import io.llmstore.core.price.Cost;
import io.llmstore.core.price.PriceCatalog;
import io.llmstore.core.price.TokenUsage;
import io.llmstore.core.ratelimit.Decision;
import io.llmstore.core.ratelimit.RateLimit;
import io.llmstore.core.ratelimit.RateLimitPolicy;
import io.llmstore.core.ratelimit.RateLimiter;
import io.llmstore.core.ratelimit.Reservation;
import io.llmstore.core.usage.ModelUsage;
import io.llmstore.core.usage.ProviderCost;
import io.llmstore.core.usage.UsageFilter;
import io.llmstore.core.usage.UsageMetric;
import io.llmstore.kafka.KafkaSink;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tour of every feature on real servers: price calls, record them, ask what they cost, cache responses,
 * rate-limit a user, stream events through Kafka into the usage table, and check health.
 *
 * <p>Configuration comes from the environment ({@code DATABASE_URL}, {@code REDIS_URL},
 * {@code KAFKA_BOOTSTRAP_SERVERS}); {@code scripts/demo} starts local servers when none are set.
 */
public final class Demo {
    private static final String[][] MODELS = {
        {"openai", "gpt-4o"}, {"openai", "gpt-4o-mini"}, {"anthropic", "claude-sonnet-4-5"}, {"google", "gemini-2.5-flash"}};

    private Demo() {
    }

    public static void main(String[] args) throws Exception {
        StorageConfig config = StorageConfig.fromEnv();
        System.out.println("config: " + config);
        try (StoragePool pool = StoragePool.create(config)) {
            System.out.println("\n== schema");
            System.out.println(pool.migrate());

            System.out.println("\n== prices: the cost of a call, exactly, at the price in force when it was made");
            PriceCatalog prices = PriceCatalog.bundled();
            Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            for (String[] m : MODELS) {
                Optional<Cost> cost = prices.cost(m[0], m[1], TokenUsage.of(1_200, 350), now);
                System.out.printf("  %-10s %-20s 1200 in / 350 out -> %s%n", m[0], m[1],
                        cost.map(c -> "$" + c.total().toPlainString() + " (" + c.pricedBy().source() + ")").orElse("unpriced"));
            }

            System.out.println("\n== usage: 2,000 calls recorded in batches, then analysed");
            Random random = new Random(42);
            List<UsageMetric> batch = new ArrayList<>();
            for (int i = 0; i < 2_000; i++) {
                String[] m = MODELS[random.nextInt(MODELS.length)];
                long in = 100 + random.nextInt(4_000);
                long out = 20 + random.nextInt(800);
                Instant at = now.minus(random.nextInt(24 * 60), ChronoUnit.MINUTES);
                BigDecimal cost = prices.cost(m[0], m[1], TokenUsage.of(in, out), at).map(Cost::total).orElse(null);
                batch.add(UsageMetric.builder().time(at).provider(m[0]).model(m[1]).tokens(in, out)
                        .costUsd(cost == null ? null : cost.setScale(6, java.math.RoundingMode.HALF_UP))
                        .latencyMs(200 + random.nextInt(2_000)).errors(random.nextInt(50) == 0 ? 1 : 0)
                        .user("user-" + random.nextInt(20)).application("demo").environment("dev").build());
            }
            pool.usage().recordAll(batch);
            UsageFilter lastDay = UsageFilter.between(now.minus(Duration.ofDays(1)), now.plusSeconds(1));
            for (ModelUsage u : pool.analytics().usageByModel(lastDay)) {
                System.out.printf("  %-20s %5d requests %9d tokens  $%s%n", u.modelId(), u.requests(), u.tokenTotal(),
                        u.costUsd().toPlainString());
            }
            for (ProviderCost p : pool.analytics().costByProvider(lastDay)) {
                System.out.printf("  provider %-10s $%s%n", p.provider(), p.costUsd().toPlainString());
            }

            System.out.println("\n== response cache: the second identical prompt is not paid for");
            AtomicInteger llmCalls = new AtomicInteger();
            for (int i = 0; i < 3; i++) {
                String answer = pool.cache().getOrCompute("gpt-4o", "What is a hypertable?", Duration.ofMinutes(10),
                        () -> "(LLM call #" + llmCalls.incrementAndGet() + ") a partitioned table");
                System.out.println("  answer: " + answer);
            }
            System.out.println("  " + pool.stats().caches());

            System.out.println("\n== rate limits: 5 requests and 2,000 tokens per minute, decided atomically in Redis");
            RateLimiter limiter = pool.rateLimiters().limiter(RateLimitPolicy.of(
                    RateLimit.of("rpm", 5, Duration.ofMinutes(1)).chargedPerCall(),
                    RateLimit.of("tpm", 2_000, Duration.ofMinutes(1))));
            String user = "demo-user-" + now.toEpochMilli();
            for (int i = 0; i < 4; i++) {
                Reservation r = limiter.reserve(user, 800);
                if (r.isGranted()) {
                    limiter.settle(r, 450); // the call used fewer tokens than estimated: the rest is refunded
                }
                Decision d = r.decision();
                System.out.printf("  call %d: %s (%s remaining on %s, retry after %s)%n", i + 1,
                        d.allowed() ? "allowed" : "DENIED", d.remaining(), d.limitName(), d.retryAfter());
            }

            System.out.println("\n== events: published to Kafka, consumed by the sink into the usage table");
            List<LlmEvent> events = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                events.add(LlmEvent.builder().timestamp(now).type("completion").model("gpt-4o-mini").provider("openai")
                        .user("stream-user").tokens(300, 90).latency(Duration.ofMillis(420))
                        .costUsd(new BigDecimal("0.000099")).build());
            }
            pool.events().publishAll(events).join();
            try (KafkaSink sink = pool.client(KafkaSink.class).orElseThrow().start()) {
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (sink.stats().handled() < events.size() && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                System.out.println("  sink: " + sink.stats());
            }

            System.out.println("\n== health and stats");
            HealthReport health = pool.healthCheck();
            for (ComponentHealth c : health.components()) {
                System.out.printf("  %-9s %s in %d ms%n", c.component(), c.status(), c.latency().toMillis());
            }
            System.out.println("  overall " + health.status() + "; " + pool.stats().postgres().orElse(null));
        }
    }
}
