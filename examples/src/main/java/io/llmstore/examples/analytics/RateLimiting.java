package io.llmstore.examples.analytics;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.ratelimit.RateLimit;
import io.llmstore.core.ratelimit.RateLimitPolicy;
import io.llmstore.core.ratelimit.RateLimiter;
import io.llmstore.core.ratelimit.Reservation;
import java.io.PrintStream;
import java.time.Duration;

/** How do I cap one user's requests and tokens per minute, across every instance of my app? */
public final class RateLimiting {
    private RateLimiting() {
    }

    /** Runs the example with {@code REDIS_URL} from the environment (without it: limits local to this JVM). */
    public static void main(String[] args) {
        run(StorageConfig.fromEnv(), System.out);
    }

    /** Seven calls of one user against 5 requests and 10,000 tokens per minute; returns how many were granted. */
    public static int run(StorageConfig config, PrintStream out) {
        try (StoragePool pool = StoragePool.create(config)) {
            RateLimiter limiter = pool.limits().limiter(RateLimitPolicy.of(
                    RateLimit.of("rpm", 5, Duration.ofMinutes(1)).chargedPerCall(),
                    RateLimit.of("tpm", 10_000, Duration.ofMinutes(1))));

            int granted = 0;
            for (int call = 1; call <= 7; call++) {
                Reservation r = limiter.reserve("user:42", 1_000); // estimated tokens, before the LLM call
                if (!r.isGranted()) {
                    out.println("call " + call + ": DENIED by " + r.decision().limitName()
                            + ", retry after " + r.decision().retryAfter().toSeconds() + " s");
                    continue;
                }
                granted++;
                long actualTokens = 800; // what the LLM reported
                limiter.settle(r, actualTokens); // refunds the 200 estimated but unused
                out.println("call " + call + ": allowed, " + r.decision().remaining() + " left in " + r.decision().limitName());
            }
            out.println(granted + " of 7 calls allowed");
            return granted;
        }
    }
}
