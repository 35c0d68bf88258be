package io.llmstore.examples.analytics;

import io.llmstore.core.StoragePool;
import io.llmstore.core.cache.ResponseCache;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.stats.CacheStats;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/** How do I stop paying twice for the same prompt? */
public final class ResponseCaching {
    private ResponseCaching() {
    }

    /** Runs the example with {@code REDIS_URL} from the environment (without it: an in-process cache). */
    public static void main(String[] args) {
        run(StorageConfig.fromEnv(), System.out);
    }

    /** Asks the same prompt three times; the LLM is called once. Returns how many times it was called. */
    public static int run(StorageConfig config, PrintStream out) {
        try (StoragePool pool = StoragePool.create(config)) {
            ResponseCache cache = pool.cache();
            String prompt = "What is the capital of France?";
            AtomicInteger llmCalls = new AtomicInteger();
            Supplier<String> llm = () -> "Paris (LLM call #" + llmCalls.incrementAndGet() + ")"; // your client here

            for (int i = 1; i <= 3; i++) {
                String answer = cache.getOrCompute("gpt-4o", prompt, Duration.ofHours(1), llm);
                out.println("ask #" + i + ": " + answer);
            }
            CacheStats stats = cache.stats();
            out.printf("LLM called %d time(s); hits=%d misses=%d hit rate=%.0f%%%n",
                    llmCalls.get(), stats.hits(), stats.misses(), stats.hitRate() * 100);
            return llmCalls.get();
        }
    }
}
