package io.llmstore.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmstore.core.gateway.ApiKey;
import io.llmstore.core.gateway.MonthlySummary;
import io.llmstore.examples.ExampleRun;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/** Every gateway example runs on the real servers in its own schema and key prefix; checked against the tables. */
class GatewayExamplesTest {
    @Test
    void apiKeyRepositoryStoresOnlyTheHashAndRevokes() throws Exception {
        ExampleRun run = ExampleRun.withoutKafka("gwkeys");
        ApiKey key = ApiKeyRepository.run(run.config, run.out);
        assertThat(key.revokedAt()).isNotNull();
        assertThat(run.printed()).contains("valid: true, may call gpt-4o: true, claude: false",
                "tags: {environment=production}", "cache: 1 hit(s), 1 miss(es)", "after revoke valid: false")
                .doesNotContain("sk-");
        assertThat(run.queryRows("SELECT key_hash, enabled FROM gateway_api_keys"))
                .containsExactly(key.keyHash() + "|f");
    }

    @Test
    void modelRepositoryFindsByAliasSearchesAndPricesByDate() throws Exception {
        ExampleRun run = ExampleRun.withoutKafka("gwmodels");
        BigDecimal deal = ModelRepository.run(run.config, run.out);
        // 10,000 in and 2,000 out: list 2.5 / 10 per Mtok = 0.025 + 0.02; deal 2 / 8 = 0.02 + 0.016
        assertThat(deal).isEqualByComparingTo("0.036");
        assertThat(run.printed()).contains("omni is gpt-4o with a context window of 128000", "list price: $0.045",
                "negotiated price: $0.036", "search 'gpt4o': [gpt-4o");
        assertThat(run.queryOne("SELECT count(*) FROM gateway_model_names")).isEqualTo(5L);
    }

    @Test
    void usageRecordsTotalAndSummarizeExactly() throws Exception {
        ExampleRun run = ExampleRun.withoutKafka("gwusage");
        MonthlySummary march = UsageRecordsAndSummaries.run(run.config, run.out);
        assertThat(march.totals().requests()).isEqualTo(3);
        assertThat(march.totals().costUsd()).isEqualByComparingTo("0.012");
        assertThat(run.printed()).contains("first 90 s: 2 requests, $0.01", "March: 3 requests, 3000 tokens, $0.012");
        assertThat(run.queryOne("SELECT sum(cost_usd) FROM gateway_usage_records")).isEqualTo(new BigDecimal("0.012000000000000000"));
    }

    @Test
    void aBudgetedCallIsRefusedOnceTheNextEstimateWouldNotFit() throws Exception {
        ExampleRun run = new ExampleRun("gwbudget");
        int calls = BudgetedCall.run(run.config, run.out);
        // estimate 1000 in + 1000 out = 0.0025 + 0.01 = 0.0125; cost 1000 in + 400 out = 0.0025 + 0.004 = 0.0065.
        // spent after n calls: 0.0065 n; refused when 0.0065 n + 0.0125 > 0.05, i.e. at n = 6 (0.039 + 0.0125 > 0.05)
        assertThat(calls).isEqualTo(6);
        assertThat(run.printed()).contains("call 6 cost $0.0065, month so far $0.039", "refused: monthly budget of API key",
                "spent $0.039 of the $0.05 limit; resets at");
    }

    @Test
    void severalWritesCommitInOneTransaction() throws Exception {
        ExampleRun run = ExampleRun.withoutKafka("gwtx");
        assertThat(GatewayTransaction.run(run.config, run.out)).isEqualTo(1);
        assertThat(run.queryOne("SELECT count(*) FROM gateway_monthly_summaries WHERE request_count = 1")).isEqualTo(1L);
        assertThat(run.queryOne("SELECT count(*) FROM gateway_api_key_metadata WHERE name = 'last_request'")).isEqualTo(1L);
    }
}
