package io.llmstore.timescale;

import io.llmstore.core.usage.UsageMetric;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/** Deterministic generated usage: models, providers, users and costs spread over several days. */
final class UsageData {
    static final Instant START = Instant.parse("2026-03-02T00:00:00Z");
    static final String[][] MODELS = {
        {"gpt-4o", "openai"}, {"gpt-4o-mini", "openai"}, {"claude-3-5-sonnet", "anthropic"},
        {"llama-3-70b", "groq"}, {"llama-3-70b", "together"}, {"gemini-1.5-pro", "google"}};
    static final String[] USERS = {"u1", "u2", "u3", "u4", "u5", null};
    static final String[] APPS = {"chat", "search", null};
    static final String[] ENVS = {"prod", "staging"};

    private UsageData() {
    }

    /** {@code n} rows over {@code days} days from {@link #START}, microsecond times. */
    static List<UsageMetric> generate(int n, int days, long seed) {
        Random r = new Random(seed);
        List<UsageMetric> rows = new ArrayList<>(n);
        long spanMicros = days * 86_400_000_000L;
        for (int i = 0; i < n; i++) {
            String[] mp = MODELS[r.nextInt(MODELS.length)];
            long requests = 1 + r.nextInt(3);
            long errors = r.nextInt(10) == 0 ? 1 + r.nextInt((int) requests) : 0;
            long in = r.nextInt(4000);
            long out = r.nextInt(1500);
            // costs as small as 1e-18 USD and with 18 decimal places: stored exactly since schema V4
            BigDecimal cost = r.nextInt(8) == 0 ? null : r.nextInt(3) == 0
                    ? BigDecimal.valueOf(r.nextLong() >>> 4, 18) : BigDecimal.valueOf(r.nextInt(5_000_000), 6);
            // cache and reasoning classes on some rows, unreported (null) on the others
            Long cacheRead = r.nextBoolean() ? null : (long) r.nextInt((int) in + 1);
            Long cacheWrite = cacheRead == null || r.nextBoolean() ? null : (long) r.nextInt((int) (in - cacheRead) + 1);
            Long reasoning = r.nextBoolean() ? null : (long) r.nextInt((int) out + 1);
            Instant time = START.plusNanos((long) (r.nextDouble() * spanMicros) * 1000);
            rows.add(UsageMetric.builder()
                    .eventId(new UUID(seed, i))
                    .time(time)
                    .model(mp[0])
                    .provider(mp[1])
                    .requests(requests)
                    .errors(errors)
                    .tokens(in, out)
                    .costUsd(cost)
                    .priceSource(cost != null && r.nextBoolean() ? "@pydantic/genai-prices@0.1.8+override:d" + r.nextInt(3) : null)
                    .cacheTokens(cacheRead, cacheWrite)
                    .reasoningTokens(reasoning)
                    .latencyMs(Math.round(r.nextDouble() * 500_000) / 100.0)
                    .user(USERS[r.nextInt(USERS.length)])
                    .application(APPS[r.nextInt(APPS.length)])
                    .environment(ENVS[r.nextInt(ENVS.length)])
                    .metadata(r.nextInt(4) == 0 ? "{\"route\": \"r" + r.nextInt(5) + "\"}" : null)
                    .build());
        }
        return rows;
    }
}
