package io.llmstore.timescale.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.error.StorageTimeoutException;
import io.llmstore.core.gateway.ApiKey;
import io.llmstore.core.gateway.ApiKeyNotFoundException;
import io.llmstore.core.gateway.ApiKeySpec;
import io.llmstore.core.gateway.Gateway;
import io.llmstore.core.gateway.Model;
import io.llmstore.core.gateway.ModelNotFoundException;
import io.llmstore.core.gateway.ModelSpec;
import io.llmstore.core.gateway.MonthlySummary;
import io.llmstore.core.gateway.UsageRecord;
import io.llmstore.core.gateway.UsageTotals;
import io.llmstore.core.price.Cost;
import io.llmstore.core.price.TokenUsage;
import io.llmstore.testkit.PostgresServer;
import io.llmstore.testkit.Schemas;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the gateway's repositories promise, on a real server, with PostgreSQL alone (the local cache tier):
 * {@link PostgresGatewayTest} on PostgreSQL 15, {@link TimescaleGatewayTest} on TimescaleDB. Each test owns a schema.
 */
abstract class GatewayContract {
    static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");

    String schema;
    final List<StoragePool> pools = new ArrayList<>();
    StoragePool pool;
    Gateway gateway;

    abstract PostgresServer server();

    @BeforeEach
    void openOnFreshSchema() {
        schema = "g_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        pool = open(Map.of());
        gateway = pool.gateway();
    }

    @AfterEach
    void dropSchema() throws SQLException {
        pools.forEach(StoragePool::close);
        try (Connection c = direct()) {
            Schemas.drop(c, schema);
        }
    }

    StoragePool open(Map<String, String> extra) {
        StorageConfig.Builder b = StorageConfig.builder().databaseUrl(server().databaseUrl())
                .poolMaxConnections(4).poolMinConnections(1).retryMaxAttempts(2)
                .set("DB_SCHEMA", schema).set("DB_MIGRATE_ON_START", "true");
        extra.forEach(b::set);
        StoragePool p = StoragePool.builder(b.build()).build();
        pools.add(p);
        return p;
    }

    Connection direct() throws SQLException {
        PostgresServer s = server();
        Connection c = DriverManager.getConnection(s.jdbcUrl(), s.user(), s.password());
        try (Statement st = c.createStatement()) {
            st.execute("SET search_path TO \"" + schema + "\", public");
        }
        return c;
    }

    static String rawKey() {
        return "sk-test-" + UUID.randomUUID() + "-Ω";
    }

    // ---------------------------------------------------------------- API keys

    @Test
    void theRawKeyAppearsInNoTableNoToStringAndNoError() throws Exception {
        List<String> raws = new ArrayList<>();
        Model model = registerGpt4o();
        for (int i = 0; i < 5; i++) {
            String raw = rawKey();
            raws.add(raw);
            ApiKey key = gateway.apiKeys().create(raw, ApiKeySpec.named("key " + i).monthlyBudgetUsd(BigDecimal.TEN));
            gateway.apiKeys().setMetadata(key.id(), "tag", "environment", "production");
            gateway.records().create(UsageRecord.of(key.id(), model, T0, 10, 5, new BigDecimal("0.001"))
                    .withMetadata("{\"user\":\"u1\"}", "{\"finish\":\"stop\"}"));
            gateway.summaries().refresh(key.id(), YearMonth.of(2026, 3));
            assertThat(key.toString()).doesNotContain(raw);
            assertThat(gateway.apiKeys().getByRawKey(raw).id()).isEqualTo(key.id());
        }
        gateway.apiKeys().revoke(gateway.apiKeys().getByRawKey(raws.get(0)).id());
        // the same raw key twice: the error names neither the key nor a hash of it beyond what the DB says
        Throwable duplicate = org.assertj.core.api.Assertions.catchThrowable(
                () -> gateway.apiKeys().create(raws.get(1), ApiKeySpec.named("again")));
        assertThat(duplicate).isNotNull();
        Throwable unknown = org.assertj.core.api.Assertions.catchThrowable(
                () -> gateway.apiKeys().getByRawKey(raws.get(2) + "x"));
        Throwable tooShort = org.assertj.core.api.Assertions.catchThrowable(
                () -> gateway.apiKeys().create("short-secret", ApiKeySpec.named("x")));
        assertThat(unknown).isInstanceOf(ApiKeyNotFoundException.class);
        assertThat(tooShort).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("12 characters");

        String dump = dumpSchema();
        assertThat(dump).contains("production").contains("finish"); // the dump does read the tables
        for (String raw : raws) {
            assertThat(dump).doesNotContain(raw);
            assertThat(dump).doesNotContain(raw.substring(0, 20));
            for (Throwable t : List.of(duplicate, unknown)) {
                assertThat(String.valueOf(t.getMessage())).doesNotContain(raw);
            }
        }
        assertThat(tooShort.getMessage()).doesNotContain("short-secret");
        assertThat(gateway.apiKeys().toString() + pool.toString()).doesNotContain(raws.get(0));
    }

    /** Every row of every table of the schema, as JSON text (every column, whatever its type). */
    String dumpSchema() throws SQLException {
        StringBuilder out = new StringBuilder();
        try (Connection c = direct(); Statement st = c.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT table_name FROM information_schema.tables WHERE table_schema = '"
                    + schema + "'")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            assertThat(tables).contains("gateway_api_keys", "gateway_usage_records", "gateway_api_key_metadata");
            for (String t : tables) {
                try (ResultSet rs = st.executeQuery("SELECT row_to_json(t)::text FROM \"" + t + "\" t")) {
                    while (rs.next()) {
                        out.append(rs.getString(1)).append('\n');
                    }
                }
            }
        }
        return out.toString();
    }

    @Test
    void aKeyIsFoundByRawKeyAndByItsSha256Hash() throws Exception {
        String raw = rawKey();
        ApiKey key = gateway.apiKeys().create(raw, ApiKeySpec.named("svc"));
        String sha = HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(raw.getBytes(StandardCharsets.UTF_8)));
        assertThat(key.keyHash()).isEqualTo(sha);
        assertThat(gateway.apiKeys().getByHash(sha)).isEqualTo(key);
        assertThat(gateway.apiKeys().getByRawKey(raw)).isEqualTo(key);
        assertThat(gateway.apiKeys().get(key.id())).isEqualTo(key);
        assertThat(gateway.apiKeys().findByRawKey(raw.toUpperCase())).isEmpty();
        assertThatThrownBy(() -> gateway.apiKeys().get(999_999)).isInstanceOf(ApiKeyNotFoundException.class)
                .hasMessageContaining("999999");
    }

    @Test
    void withAPepperTheStoredHashIsHmacSha256AndLookupsStillWork() throws Exception {
        StoragePool peppered = open(Map.of("GATEWAY_API_KEY_PEPPER", "pepper-π-123"));
        String raw = rawKey();
        ApiKey key = peppered.gateway().apiKeys().create(raw, ApiKeySpec.named("peppered"));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec("pepper-π-123".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        assertThat(key.keyHash()).isEqualTo(HexFormat.of().formatHex(mac.doFinal(raw.getBytes(StandardCharsets.UTF_8))));
        assertThat(peppered.gateway().apiKeys().getByRawKey(raw).id()).isEqualTo(key.id());
        assertThat(gateway.apiKeys().findByRawKey(raw)).as("without the pepper the key is not found").isEmpty();
        assertThat(peppered.toString() + peppered.gateway().apiKeys()).doesNotContain("pepper-π-123");
    }

    @Test
    void expiredDisabledAndRevokedKeysAreRefused() {
        Instant now = Instant.now();
        String expired = rawKey();
        String live = rawKey();
        gateway.apiKeys().create(expired, ApiKeySpec.named("expired").expiresAt(now.minusSeconds(1)));
        ApiKey liveKey = gateway.apiKeys().create(live, ApiKeySpec.named("live").expiresAt(now.plus(Duration.ofDays(1))));
        assertThat(gateway.apiKeys().isValid(expired)).isFalse();
        assertThat(gateway.apiKeys().getByRawKey(expired).refusalAt(Instant.now())).get().asString().contains("expired at");
        assertThat(gateway.apiKeys().isValid(live)).isTrue(); // now cached
        assertThat(gateway.apiKeys().isValid(rawKey())).isFalse();
        assertThat(gateway.apiKeys().isValid("short")).isFalse();

        gateway.apiKeys().disable(liveKey.id());
        assertThat(gateway.apiKeys().isValid(live)).as("disable drops the cached entry").isFalse();
        gateway.apiKeys().enable(liveKey.id());
        assertThat(gateway.apiKeys().isValid(live)).isTrue();
        ApiKey revoked = gateway.apiKeys().revoke(liveKey.id());
        assertThat(revoked.revokedAt()).isNotNull();
        assertThat(gateway.apiKeys().isValid(live)).isFalse();
        assertThat(gateway.apiKeys().enable(liveKey.id()).enabled()).as("a revoked key stays off").isFalse();
        assertThat(gateway.apiKeys().revoke(liveKey.id()).revokedAt()).isEqualTo(revoked.revokedAt());
        assertThat(gateway.apiKeys().isValid(live)).isFalse();
    }

    @Test
    void metadataIsKeptPerCategoryAndOverwritten() {
        ApiKey key = gateway.apiKeys().create(rawKey(), ApiKeySpec.named("m"));
        gateway.apiKeys().setMetadata(key.id(), "tag", "environment", "production");
        gateway.apiKeys().setMetadata(key.id(), "tag", "team", "payments ✓");
        gateway.apiKeys().setMetadata(key.id(), "owner", "email", "a@example.com");
        gateway.apiKeys().setMetadata(key.id(), "tag", "environment", "staging");
        assertThat(gateway.apiKeys().metadata(key.id(), "tag")).containsExactly(
                Map.entry("environment", "staging"), Map.entry("team", "payments ✓"));
        assertThat(gateway.apiKeys().metadata(key.id(), "owner")).containsExactly(Map.entry("email", "a@example.com"));
        assertThat(gateway.apiKeys().metadata(key.id(), "none")).isEmpty();
        assertThatThrownBy(() -> gateway.apiKeys().setMetadata(424242, "tag", "a", "b"))
                .isInstanceOf(ApiKeyNotFoundException.class).hasMessageContaining("424242");
        assertThatThrownBy(() -> gateway.apiKeys().setMetadata(key.id(), " ", "a", "b"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("category");
    }

    @Test
    void keysetAndOffsetPagingWalkEveryKeyOnceInIdOrder() {
        List<Long> created = new ArrayList<>();
        for (int i = 0; i < 23; i++) {
            created.add(gateway.apiKeys().create(rawKey(), ApiKeySpec.named("k" + i)).id());
        }
        List<Long> keyset = new ArrayList<>();
        long after = 0;
        for (List<ApiKey> page; !(page = gateway.apiKeys().list(after, 5)).isEmpty(); after = page.get(page.size() - 1).id()) {
            assertThat(page.size()).isLessThanOrEqualTo(5);
            page.forEach(k -> keyset.add(k.id()));
        }
        List<Long> offset = new ArrayList<>();
        for (int o = 0; ; o += 7) {
            List<ApiKey> page = gateway.apiKeys().listPage(7, o);
            if (page.isEmpty()) {
                break;
            }
            page.forEach(k -> offset.add(k.id()));
        }
        assertThat(keyset).containsExactlyElementsOf(created);
        assertThat(offset).containsExactlyElementsOf(created);
        assertThatThrownBy(() -> gateway.apiKeys().list(0, 0)).hasMessageContaining("limit must be 1..10000, was 0");
        assertThatThrownBy(() -> gateway.apiKeys().listPage(5, -1)).hasMessageContaining("offset must be >= 0, was -1");
    }

    @Test
    void aKeyAllowsTheModelsItListsByNameOrAlias() {
        registerGpt4o();
        ApiKey any = gateway.apiKeys().create(rawKey(), ApiKeySpec.named("any"));
        ApiKey byName = gateway.apiKeys().create(rawKey(), ApiKeySpec.named("n").allowedModels(List.of("gpt-4o")));
        ApiKey byAlias = gateway.apiKeys().create(rawKey(), ApiKeySpec.named("a").allowedModels(List.of("4o")));
        assertThat(gateway.apiKeys().allowsModel(any, "anything")).isTrue();
        assertThat(gateway.apiKeys().allowsModel(byName, "GPT-4o")).isTrue();
        assertThat(gateway.apiKeys().allowsModel(byName, "4o")).as("alias of an allowed name").isTrue();
        assertThat(gateway.apiKeys().allowsModel(byAlias, "gpt-4o")).as("name of an allowed alias").isTrue();
        assertThat(gateway.apiKeys().allowsModel(byAlias, "omni")).as("another alias of it").isTrue();
        assertThat(gateway.apiKeys().allowsModel(byName, "claude-haiku-4-5")).isFalse();
        assertThat(gateway.apiKeys().allowsModel(byName, "unknown-model")).isFalse();
    }

    @Test
    void cacheStatsCountHitsMissesAndEvictions() {
        StoragePool small = open(Map.of("CACHE_API_KEY_SIZE", "2"));
        var keys = small.gateway().apiKeys();
        List<String> raws = List.of(rawKey(), rawKey(), rawKey(), rawKey());
        raws.forEach(r -> keys.create(r, ApiKeySpec.named("s")));
        keys.getByRawKey(raws.get(0));
        keys.getByRawKey(raws.get(0));
        assertThat(keys.cacheStats().hits()).isEqualTo(1);
        assertThat(keys.cacheStats().misses()).isEqualTo(1);
        raws.forEach(keys::getByRawKey);
        raws.forEach(keys::getByRawKey);
        var stats = keys.cacheStats();
        assertThat(stats.capacity()).isEqualTo(2);
        assertThat(stats.size()).isLessThanOrEqualTo(2);
        assertThat(stats.evictions()).isPositive();
        assertThat(stats.hits() + stats.misses()).isEqualTo(10);
        assertThat(small.stats().caches()).containsKeys("api_key", "model");
    }

    // ---------------------------------------------------------------- models and prices

    Model registerGpt4o() {
        gateway.models().registerProvider("openai", "openai");
        return gateway.models().register(new ModelSpec("openai", "gpt-4o", List.of("4o", "omni"), 128_000));
    }

    @Test
    void aModelIsFoundByNameOrAnyAliasIgnoringCase() {
        Model model = registerGpt4o();
        assertThat(gateway.models().get("gpt-4o")).isEqualTo(model);
        assertThat(gateway.models().get("OMNI")).isEqualTo(model);
        assertThat(gateway.models().get("4o")).isEqualTo(model);
        assertThat(model.aliases()).containsExactly("4o", "omni");
        assertThat(model.contextWindow()).isEqualTo(128_000);
        assertThatThrownBy(() -> gateway.models().get("gpt-4x")).isInstanceOf(ModelNotFoundException.class)
                .hasMessageContaining("'gpt-4x'");
        assertThatThrownBy(() -> gateway.models().register(new ModelSpec("openai", "other", List.of("Omni"), null)))
                .as("an alias is unique across models").isInstanceOf(io.llmstore.core.error.QueryException.class);
        assertThatThrownBy(() -> gateway.models().register(new ModelSpec("nobody", "m", List.of(), null)))
                .isInstanceOf(ModelNotFoundException.class).hasMessageContaining("provider 'nobody'");
        assertThat(gateway.models().find("other")).as("the failed registration left nothing").isEmpty();
    }

    @Test
    void fuzzySearchRanksCloseNamesFirstWithTrigramsAndWithTheIlikeFallback() throws Exception {
        gateway.models().registerProvider("anthropic", "anthropic");
        gateway.models().registerProvider("openai", "openai");
        for (String m : List.of("claude-haiku-4-5", "claude-sonnet-4-6", "claude-opus-4-1", "gpt-4o", "gpt-4o-mini", "o3")) {
            gateway.models().register(new ModelSpec(m.startsWith("claude") ? "anthropic" : "openai", m, List.of(), null));
        }
        assertThat(gateway.models().isTrigramSearch()).as("the test servers have pg_trgm (contrib)").isTrue();
        assertThat(names(gateway.models().search("gpt-4o", 10))).startsWith("gpt-4o", "gpt-4o-mini");
        assertThat(names(gateway.models().search("claude sonet", 2))).as("a typo still finds it").first().isEqualTo("claude-sonnet-4-6");
        assertThat(gateway.models().search("claude", 2)).hasSize(2);

        PostgresGatewayStore store = pool.client(PostgresGatewayStore.class).orElseThrow().withoutTrigrams();
        Gateway ilike = Gateway.of(store, Optional.empty(), Optional.empty(), pool.config(), java.time.Clock.systemUTC());
        assertThat(ilike.models().isTrigramSearch()).isFalse();
        assertThat(names(ilike.models().search("gpt-4o", 10))).containsExactly("gpt-4o", "gpt-4o-mini");
        assertThat(names(ilike.models().search("CLAUDE", 10))).hasSize(3);
        assertThat(names(ilike.models().search("50%_\\", 10))).as("LIKE wildcards are literal").isEmpty();
        assertThat(ilike.models().search("   ", 10)).isEmpty();
    }

    static List<String> names(List<Model> models) {
        return models.stream().map(Model::name).toList();
    }

    @Test
    void costUsesTheBundledCatalogThenAStoredPriceFromItsDate() {
        registerGpt4o();
        Instant change = Instant.parse("2026-06-01T00:00:00Z");
        TokenUsage usage = TokenUsage.builder().inputTokens(10_000).cacheReadTokens(4_000).outputTokens(1_000).build();
        Instant before = change.minusSeconds(1);
        Cost listed = gateway.models().calculateCost("4o", usage, before).orElseThrow();
        // gpt-4o list price (dataset 0.1.8): 2.5 input, 1.25 cache read, 10 output per million tokens
        BigDecimal expectedList = new BigDecimal("6000").multiply(new BigDecimal("2.5"))
                .add(new BigDecimal("4000").multiply(new BigDecimal("1.25")))
                .add(new BigDecimal("1000").multiply(BigDecimal.TEN)).movePointLeft(6);
        assertThat(listed.total()).isEqualByComparingTo(expectedList);

        gateway.models().setPrice("gpt-4o", Map.of("input_mtok", new BigDecimal("2"), "cache_read_mtok",
                new BigDecimal("0.5"), "output_mtok", new BigDecimal("8")), change, null);
        BigDecimal expectedNew = new BigDecimal("6000").multiply(new BigDecimal("2"))
                .add(new BigDecimal("4000").multiply(new BigDecimal("0.5")))
                .add(new BigDecimal("1000").multiply(new BigDecimal("8"))).movePointLeft(6);
        assertThat(gateway.models().calculateCost("gpt-4o", usage, change).orElseThrow().total())
                .isEqualByComparingTo(expectedNew);
        assertThat(gateway.models().calculateCost("omni", usage, before).orElseThrow().total())
                .as("a call before the change keeps the old price").isEqualByComparingTo(expectedList);
        // a second pool reads the stored price from the database
        assertThat(open(Map.of()).gateway().models().calculateCost("gpt-4o", usage, change.plusSeconds(5))
                .orElseThrow().total()).isEqualByComparingTo(expectedNew);
        assertThatThrownBy(() -> gateway.models().setPrice("gpt-4o", Map.of("input_mtok", new BigDecimal("-1")), null, null))
                .hasMessageContaining("input_mtok").hasMessageContaining("-1");
    }

    // ---------------------------------------------------------------- records and summaries

    @Test
    void totalsAndMonthlySummariesEqualADirectSum() throws Exception {
        Model model = registerGpt4o();
        ApiKey a = gateway.apiKeys().create(rawKey(), ApiKeySpec.named("a"));
        ApiKey b = gateway.apiKeys().create(rawKey(), ApiKeySpec.named("b"));
        Random random = new Random(7);
        List<UsageRecord> batch = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            Instant at = T0.plus(Duration.ofMinutes(random.nextInt(60 * 24 * 60))); // March and April
            BigDecimal cost = new BigDecimal(random.nextInt(1_000_000)).movePointLeft(9);
            batch.add(UsageRecord.of(i % 3 == 0 ? b.id() : a.id(), model, at, random.nextInt(5000), random.nextInt(900), cost));
        }
        assertThat(gateway.records().createAll(batch)).isEqualTo(500);
        Instant from = T0.plus(Duration.ofDays(3));
        Instant until = T0.plus(Duration.ofDays(40));
        UsageTotals totals = gateway.records().totals(a.id(), from, until);
        assertThat(totals).isEqualTo(javaSum(batch, a.id(), from, until));
        assertThat(totals).isEqualTo(sqlSum(a.id(), from, until));

        YearMonth march = YearMonth.of(2026, 3);
        MonthlySummary first = gateway.summaries().refresh(a.id(), march);
        Instant mFrom = march.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant mUntil = march.plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        assertThat(first.totals()).isEqualTo(sqlSum(a.id(), mFrom, mUntil)).isEqualTo(javaSum(batch, a.id(), mFrom, mUntil));
        assertThat(gateway.summaries().refresh(a.id(), march).totals()).as("idempotent").isEqualTo(first.totals());
        assertThat(gateway.summaries().get(a.id(), march).orElseThrow().totals()).isEqualTo(first.totals());
        assertThat(gateway.summaries().get(b.id(), march)).isEmpty();
        assertThat(gateway.summaries().refresh(b.id(), YearMonth.of(2020, 1)).totals())
                .isEqualTo(new UsageTotals(0, 0, 0, 0, BigDecimal.ZERO));
    }

    @Test
    void twoPoolsRefreshingWhileRecordsArriveEndOnTheDirectSum() throws Exception {
        Model model = registerGpt4o();
        ApiKey key = gateway.apiKeys().create(rawKey(), ApiKeySpec.named("busy"));
        Gateway other = open(Map.of()).gateway();
        YearMonth march = YearMonth.of(2026, 3);
        ExecutorService threads = Executors.newFixedThreadPool(3);
        try {
            CyclicBarrier start = new CyclicBarrier(3);
            List<Future<?>> futures = new ArrayList<>();
            for (Gateway g : List.of(gateway, other)) {
                futures.add(threads.submit(() -> {
                    start.await();
                    for (int i = 0; i < 40; i++) {
                        g.summaries().refresh(key.id(), march);
                    }
                    return null;
                }));
            }
            futures.add(threads.submit(() -> {
                start.await();
                for (int i = 0; i < 40; i++) {
                    gateway.records().create(UsageRecord.of(key.id(), model, T0.plusSeconds(i), 3, 2, new BigDecimal("0.000000000000000001")));
                }
                return null;
            }));
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            threads.shutdownNow();
        }
        MonthlySummary last = other.summaries().refresh(key.id(), march);
        assertThat(last.totals()).isEqualTo(sqlSum(key.id(), T0, T0.plus(Duration.ofDays(31))));
        assertThat(last.totals().requests()).isEqualTo(40);
        assertThat(last.totals().costUsd()).isEqualByComparingTo("0.00000000000000004");
    }

    static UsageTotals javaSum(List<UsageRecord> records, long key, Instant from, Instant until) {
        long n = 0, p = 0, c = 0, t = 0;
        BigDecimal cost = BigDecimal.ZERO;
        for (UsageRecord r : records) {
            if (r.apiKeyId() == key && !r.requestTimestamp().isBefore(from) && r.requestTimestamp().isBefore(until)) {
                n++;
                p += r.promptTokens();
                c += r.completionTokens();
                t += r.totalTokens();
                cost = cost.add(r.costUsd());
            }
        }
        return new UsageTotals(n, p, c, t, cost.stripTrailingZeros());
    }

    UsageTotals sqlSum(long key, Instant from, Instant until) throws SQLException {
        try (Connection c = direct(); var st = c.prepareStatement("SELECT count(*), coalesce(sum(prompt_tokens),0), "
                + "coalesce(sum(completion_tokens),0), coalesce(sum(total_tokens),0), coalesce(sum(cost_usd),0) "
                + "FROM gateway_usage_records WHERE api_key_id = ? AND request_timestamp >= ? AND request_timestamp < ?")) {
            st.setLong(1, key);
            st.setObject(2, from.atOffset(ZoneOffset.UTC));
            st.setObject(3, until.atOffset(ZoneOffset.UTC));
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return new UsageTotals(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4),
                        rs.getBigDecimal(5).stripTrailingZeros());
            }
        }
    }

    @Test
    void aRecordAtTheLastNanosecondOfAMonthCountsInThatMonth() {
        // PostgreSQL keeps microseconds and rounds the rest: untruncated, this record was stored at 00:00 of April.
        Model model = registerGpt4o();
        ApiKey key = gateway.apiKeys().create(rawKey(), ApiKeySpec.named("edge"));
        Instant last = Instant.parse("2026-03-31T23:59:59.999999999Z");
        UsageRecord stored = gateway.records().create(UsageRecord.of(key.id(), model, last, 3, 2, BigDecimal.ONE));
        assertThat(stored.requestTimestamp()).isEqualTo(Instant.parse("2026-03-31T23:59:59.999999Z"));
        Instant april = Instant.parse("2026-04-01T00:00:00Z");
        assertThat(gateway.records().totals(key.id(), T0, april).requests()).as("March").isEqualTo(1);
        assertThat(gateway.records().totals(key.id(), april, april.plusSeconds(60)).requests()).as("April").isZero();
    }

    @Test
    void hostileRecordsAreRefusedNamingTheField() {
        Model model = registerGpt4o();
        assertThatThrownBy(() -> UsageRecord.of(1, model, T0, -1, 0, BigDecimal.ONE)).hasMessage("promptTokens must be >= 0, was -1");
        assertThatThrownBy(() -> UsageRecord.of(1, model, T0, 1, 0, new BigDecimal("-0.1"))).hasMessageContaining("costUsd must be >= 0");
        assertThatThrownBy(() -> UsageRecord.of(1, model, T0, 1, 0, BigDecimal.ONE).withMetadata("[1]", null))
                .hasMessageContaining("requestMetadataJson must be a JSON object");
        assertThatThrownBy(() -> UsageRecord.of(1, model, T0, 1, 0, BigDecimal.ONE).withMetadata(null, "{oops"))
                .hasMessageContaining("responseMetadataJson must be a JSON object");
        assertThatThrownBy(() -> gateway.records().create(UsageRecord.of(987654, model, T0, 1, 0, BigDecimal.ONE)))
                .as("an unknown key is refused by the database").isInstanceOf(io.llmstore.core.error.QueryException.class);
    }

    // ---------------------------------------------------------------- timeouts and transactions

    @Test
    void aStatementPastTheQueryTimeoutThrowsStorageTimeoutException() throws Exception {
        StoragePool bounded = open(Map.of("GATEWAY_QUERY_TIMEOUT", "1s", "DB_RETRY_MAX_ATTEMPTS", "1"));
        ApiKey key = bounded.gateway().apiKeys().create(rawKey(), ApiKeySpec.named("locked"));
        try (Connection holder = direct()) {
            holder.setAutoCommit(false);
            try (Statement st = holder.createStatement()) {
                st.execute("SELECT * FROM gateway_api_keys WHERE id = " + key.id() + " FOR UPDATE");
            }
            long start = System.nanoTime();
            assertThatThrownBy(() -> bounded.gateway().apiKeys().disable(key.id()))
                    .isInstanceOf(StorageTimeoutException.class).hasMessageContaining("disabling API key " + key.id());
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
            holder.rollback();
        }
        assertThat(bounded.gateway().apiKeys().disable(key.id()).enabled()).isFalse();
    }

    @Test
    void severalWritesInOneTransactionCommitTogetherOrNotAtAll() throws Exception {
        Model model = registerGpt4o();
        String raw = rawKey();
        ApiKey key = gateway.apiKeys().create(raw, ApiKeySpec.named("tx"));
        assertThat(gateway.apiKeys().isValid(raw)).isTrue(); // cached now
        assertThatThrownBy(() -> gateway.inTransaction(tx -> {
            tx.records().create(UsageRecord.of(key.id(), model, T0, 1, 1, BigDecimal.ONE));
            tx.apiKeys().setMetadata(key.id(), "tag", "x", "y");
            throw new IllegalStateException("abort");
        })).hasMessage("abort");
        assertThat(gateway.records().totals(key.id(), T0, T0.plusSeconds(1)).requests()).isZero();
        assertThat(gateway.apiKeys().metadata(key.id(), "tag")).isEmpty();

        long stored = gateway.inTransaction(tx -> {
            tx.records().create(UsageRecord.of(key.id(), model, T0, 1, 1, BigDecimal.ONE));
            tx.records().create(UsageRecord.of(key.id(), model, T0, 2, 2, BigDecimal.ONE));
            tx.apiKeys().setEnabled(key.id(), false);
            return tx.records().totals(key.id(), T0, T0.plusSeconds(1)).requests();
        });
        assertThat(stored).as("the transaction sees its own writes").isEqualTo(2);
        assertThat(gateway.records().totals(key.id(), T0, T0.plusSeconds(1)).requests()).isEqualTo(2);
        assertThat(gateway.apiKeys().isValid(raw)).as("disabled inside: the cache was dropped after the commit").isFalse();
    }

    @Test
    void withoutRedisBudgetsSayWhatToSetAndTheRateLimitIsEnforcedInProcess() {
        assertThatThrownBy(() -> gateway.budgets()).isInstanceOf(io.llmstore.core.error.NotConfiguredException.class)
                .hasMessageContaining("REDIS_URL").hasMessageContaining("gateway budgets");
        ApiKey limited = gateway.apiKeys().create(rawKey(), ApiKeySpec.named("rl").rateLimitPerMinute(3));
        ApiKey free = gateway.apiKeys().create(rawKey(), ApiKeySpec.named("free"));
        List<Boolean> allowed = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            allowed.add(gateway.apiKeys().tryAcquire(limited).allowed());
        }
        assertThat(allowed).containsExactly(true, true, true, false, false);
        for (int i = 0; i < 5; i++) {
            assertThat(gateway.apiKeys().tryAcquire(free).allowed()).isTrue();
        }
        assertThat(gateway.apiKeys().invalidationBound()).as("without Redis: one TTL").isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void readsSurviveTheirConnectionsBeingKilledAndAcknowledgedRecordsStay() throws Exception {
        // its own application_name, so only this pool's connections are killed (other tests share the server)
        String app = "killed_" + schema;
        gateway = open(Map.of("DB_APP_NAME", app, "DB_RETRY_MAX_ATTEMPTS", "6", "DB_RETRY_INITIAL_BACKOFF", "10ms")).gateway();
        Model model = registerGpt4o();
        ApiKey key = gateway.apiKeys().create(rawKey(), ApiKeySpec.named("killed"));
        gateway.records().create(UsageRecord.of(key.id(), model, T0, 1, 1, BigDecimal.ONE));
        try (Connection c = direct(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                     + " WHERE application_name = '" + app + "'")) {
            rs.next();
            assertThat(rs.getInt(1)).as("connections killed").isPositive();
        }
        // every pooled connection is dead now: the reads are retried on fresh ones (DB_RETRY_*; the pool has 4)
        assertThat(gateway.apiKeys().get(key.id()).id()).isEqualTo(key.id());
        assertThat(gateway.records().totals(key.id(), T0, T0.plusSeconds(1)).requests()).isEqualTo(1);
        assertThat(gateway.models().search("gpt", 5)).hasSize(1);
    }

    @Test
    void bufferedRecordsAreStoredOnFlushAndAReplayedRecordIsStoredOnce() throws Exception {
        Model model = registerGpt4o();
        ApiKey key = gateway.apiKeys().create(rawKey(), ApiKeySpec.named("buffered"));
        List<UsageRecord> records = new ArrayList<>();
        for (int i = 0; i < 2500; i++) {
            records.add(UsageRecord.of(key.id(), model, T0.plusSeconds(i), 10, 5, new BigDecimal("0.000001")));
        }
        records.forEach(gateway.records().buffered()::record);
        gateway.records().buffered().record(records.get(7)); // the same request again
        pool.flush();
        assertThat(sqlSum(key.id(), T0, T0.plus(Duration.ofDays(1))).requests()).isEqualTo(2500);
        assertThat(gateway.records().createAll(records.subList(0, 10))).as("a replayed batch stores nothing").isZero();
        UsageRecord again = gateway.records().create(records.get(3));
        assertThat(again.id()).isPositive();
        assertThat(gateway.records().totals(key.id(), T0, T0.plus(Duration.ofDays(1))).costUsd())
                .isEqualByComparingTo("0.0025");
        var stats = gateway.records().buffered().stats();
        assertThat(stats.accepted()).isEqualTo(2501);
        assertThat(stats.buffered()).isZero();
        // a record the database refuses (unknown key) is isolated as poison; the rest of its batch is stored
        gateway.records().buffered().record(UsageRecord.of(987_654, model, T0, 1, 1, BigDecimal.ONE));
        gateway.records().buffered().record(UsageRecord.of(key.id(), model, T0.minusSeconds(1), 1, 1, BigDecimal.ONE));
        pool.flush();
        assertThat(gateway.records().buffered().stats().poison()).isEqualTo(1);
        assertThat(sqlSum(key.id(), T0.minusSeconds(1), T0).requests()).isEqualTo(1);
    }

    static DataSource dataSource(StoragePool p) {
        return p.client(DataSource.class).orElseThrow();
    }

    // ---------------------------------------------------------------- durable spool

    @Test
    void aRecordSpoolLeftByAWriterThatNeverReachedTheDatabaseIsReplayedAndEachRecordStoredOnce(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path spoolRoot) throws SQLException {
        Model model = registerGpt4o();
        ApiKey key = gateway.apiKeys().create(rawKey(), ApiKeySpec.named("spooled"));
        List<UsageRecord> records = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            records.add(UsageRecord.of(key.id(), model, T0.plusMillis(i).plusNanos(1_000), 10 + i, i % 7,
                    new BigDecimal("0.000000000000000001").multiply(BigDecimal.valueOf(i + 1)))
                    .withMetadata("{\"route\": \"r-" + i + " 💥\"}", i % 2 == 0 ? null : "{\"finish\": \"stop\"}"));
        }
        // Given the first 300 were stored before the writer died (a kill comes before the spool's trim),
        assertThat(gateway.records().createAll(records.subList(0, 300))).isEqualTo(300);
        // and a spool holding all 1,000, written by a buffered writer whose database never answered.
        PostgresGatewayStore dead = PostgresGatewayStore.create(
                org.jooq.impl.DSL.using(io.llmstore.timescale.NeverAnsweringDataSource.create(), org.jooq.SQLDialect.POSTGRES),
                io.llmstore.core.retry.RetryPolicy.none(), java.time.Clock.systemUTC(), Duration.ofSeconds(5),
                new io.llmstore.core.buffer.WriterSettings(new io.llmstore.core.buffer.BufferSizes(10_000, 500,
                        Duration.ofMillis(100)), Duration.ZERO, java.util.Optional.of(io.llmstore.core.buffer.SpoolSettings.of(
                                spoolRoot.resolve(PostgresGatewayStore.SPOOL_KIND)))));
        records.forEach(dead.records().buffered()::record);
        dead.close();

        // When a pool opens that SPOOL_DIR,
        StoragePool replaying = open(Map.of("SPOOL_DIR", spoolRoot.toString()));
        var buffered = replaying.gateway().records().buffered();
        assertThat(buffered.spoolStats().orElseThrow().recovered()).isEqualTo(1_000);
        buffered.flush();
        assertThat(buffered.spoolStats().orElseThrow().pending()).isZero();

        // then every record is stored once, with its values.
        try (Connection c = direct(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT count(*), count(DISTINCT request_id), sum(prompt_tokens), sum(cost_usd),"
                        + " count(*) FILTER (WHERE response_metadata IS NULL) FROM gateway_usage_records")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(1_000);
            assertThat(rs.getLong(2)).isEqualTo(1_000);
            assertThat(rs.getLong(3)).isEqualTo(records.stream().mapToLong(UsageRecord::promptTokens).sum());
            assertThat(rs.getBigDecimal(4)).isEqualByComparingTo(records.stream().map(UsageRecord::costUsd)
                    .reduce(BigDecimal.ZERO, BigDecimal::add));
            assertThat(rs.getLong(5)).isEqualTo(500);
        }
    }
}
