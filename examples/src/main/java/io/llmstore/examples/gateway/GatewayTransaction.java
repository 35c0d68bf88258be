package io.llmstore.examples.gateway;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.error.StorageTimeoutException;
import io.llmstore.core.gateway.ApiKey;
import io.llmstore.core.gateway.ApiKeySpec;
import io.llmstore.core.gateway.Gateway;
import io.llmstore.core.gateway.Model;
import io.llmstore.core.gateway.ModelSpec;
import io.llmstore.core.gateway.UsageRecord;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.YearMonth;
import java.util.List;
import java.util.UUID;

/**
 * How do I make several gateway writes in one transaction, and bound every call (the guide's {@code BeginTx} and
 * context timeout)? Every statement is bounded by {@code GATEWAY_QUERY_TIMEOUT}; past it the call throws
 * {@link StorageTimeoutException}.
 */
public final class GatewayTransaction {
    private GatewayTransaction() {
    }

    public static void main(String[] args) {
        run(StorageConfig.fromEnv(), System.out);
    }

    /** Records a request and refreshes the key's month in one transaction; returns the committed request count. */
    public static long run(StorageConfig config, PrintStream out) {
        try (StoragePool pool = StoragePool.create(config)) {
            pool.usage().migrate();
            Gateway gateway = pool.gateway();
            gateway.models().registerProvider("openai", "openai");
            Model model = gateway.models().register(new ModelSpec("openai", "gpt-4o", List.of(), 128_000));
            ApiKey key = gateway.apiKeys().create("sk-" + UUID.randomUUID(), ApiKeySpec.named("tx"));
            YearMonth month = YearMonth.now(java.time.ZoneOffset.UTC);
            try {
                long requests = gateway.inTransaction(tx -> {
                    tx.records().create(UsageRecord.of(key.id(), model, Instant.now(), 50, 10, new BigDecimal("0.0002")));
                    tx.apiKeys().setMetadata(key.id(), "usage", "last_request", Instant.now().toString());
                    return tx.summaries().refresh(key.id(), month).totals().requests(); // sees the record above
                });
                out.println("committed: " + requests + " request(s) this month");
                return requests;
            } catch (StorageTimeoutException e) {
                out.println("took longer than GATEWAY_QUERY_TIMEOUT, rolled back: " + e.getMessage());
                return 0;
            }
        }
    }
}
