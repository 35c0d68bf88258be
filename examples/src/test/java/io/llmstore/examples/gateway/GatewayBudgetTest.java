package io.llmstore.examples.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.gateway.ApiKey;
import io.llmstore.core.gateway.ApiKeySpec;
import io.llmstore.core.gateway.BudgetDecision;
import io.llmstore.core.gateway.Gateway;
import io.llmstore.core.gateway.Model;
import io.llmstore.core.gateway.ModelSpec;
import io.llmstore.core.gateway.UsageRecord;
import io.llmstore.testkit.PostgresServer;
import io.llmstore.testkit.Schemas;
import io.llmstore.testkit.TestServers;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Dollar budgets on real PostgreSQL, Redis and Kafka: two pools (two instances) of eight threads each spend against
 * one key's $10 with random costs; alerts are read back from the alerts topic.
 */
class GatewayBudgetTest {
    static final BigDecimal NANO = new BigDecimal("0.000000001");
    final PostgresServer db = TestServers.postgres();
    String id;
    final List<StoragePool> pools = new ArrayList<>();

    @BeforeEach
    void setUp() {
        id = "gb_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    @AfterEach
    void tearDown() throws SQLException {
        pools.forEach(StoragePool::close);
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password())) {
            Schemas.drop(c, id);
        }
    }

    StoragePool open() {
        StorageConfig config = StorageConfig.builder().databaseUrl(db.databaseUrl()).poolMaxConnections(10)
                .set("DB_SCHEMA", id).set("DB_MIGRATE_ON_START", "true")
                .set("REDIS_URL", TestServers.redis().uri()).set("REDIS_KEY_PREFIX", id + ":")
                .kafkaBootstrapServers(TestServers.kafka().bootstrapServers()).set("KAFKA_TOPIC_PREFIX", id + ".")
                .build();
        StoragePool p = StoragePool.create(config);
        pools.add(p);
        return p;
    }

    Model model(Gateway g) {
        g.models().registerProvider("openai", "openai");
        return g.models().register(new ModelSpec("openai", "gpt-4o", List.of(), 128_000));
    }

    @Test
    void twoPoolsOfEightThreadsNeverPassTenDollarsAndEachAlertFiresOnce() throws Exception {
        Gateway a = open().gateway();
        Gateway b = open().gateway();
        Model model = model(a);
        BigDecimal limit = BigDecimal.TEN;
        ApiKey key = a.apiKeys().create("sk-budget-" + UUID.randomUUID(), ApiKeySpec.named("b").monthlyBudgetUsd(limit));
        AtomicLong settledNanos = new AtomicLong();
        AtomicLong refusals = new AtomicLong();
        AtomicLong largestReservationNanos = new AtomicLong();
        List<String> refusalMessages = new java.util.concurrent.CopyOnWriteArrayList<>();
        ExecutorService threads = Executors.newFixedThreadPool(16);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 16; t++) {
            Gateway g = t % 2 == 0 ? a : b;
            done.add(threads.submit(() -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                int refusedInARow = 0;
                while (refusedInARow < 30) {
                    // estimates $0.01 .. $0.30, in nano-dollars
                    BigDecimal estimate = NANO.multiply(BigDecimal.valueOf(random.nextLong(10_000_000, 300_000_000)));
                    BudgetDecision d = g.budgets().reserve(key, estimate);
                    if (!d.allowed()) {
                        refusedInARow++;
                        refusals.incrementAndGet();
                        refusalMessages.add(d.refusal().orElseThrow());
                        continue;
                    }
                    refusedInARow = 0;
                    largestReservationNanos.accumulateAndGet(estimate.divide(NANO).longValueExact(), Math::max);
                    BigDecimal actual = NANO.multiply(BigDecimal.valueOf(random.nextLong(0, estimate.divide(NANO).longValueExact() + 1)));
                    g.records().create(UsageRecord.of(key.id(), model, Instant.now(), 100, 100, actual));
                    g.budgets().settle(d, actual);
                    settledNanos.addAndGet(actual.divide(NANO).longValueExact());
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        threads.shutdown();
        BigDecimal settled = NANO.multiply(BigDecimal.valueOf(settledNanos.get()));
        BigDecimal spent = a.budgets().spent(key);
        assertThat(spent).as("the counter is the exact sum of the settled costs").isEqualByComparingTo(settled);
        assertThat(spent).as("overshoot at most one reservation (here none: actual costs never pass estimates)")
                .isLessThanOrEqualTo(limit);
        assertThat(limit.subtract(spent)).as("it stopped only when a further reservation could not fit")
                .isLessThan(NANO.multiply(BigDecimal.valueOf(300_000_000)));
        assertThat(refusals.get()).isGreaterThanOrEqualTo(30);
        assertThat(b.budgets().reserve(key, limit.subtract(spent).add(NANO)).allowed()).isFalse();
        BudgetDecision fits = b.budgets().reserve(key, limit.subtract(spent));
        assertThat(fits.allowed()).isTrue();
        b.budgets().settle(fits, BigDecimal.ZERO);

        YearMonth month = YearMonth.now(ZoneOffset.UTC);
        String refusal = refusalMessages.get(0);
        assertThat(refusal).contains("API key " + key.id()).contains(month.toString()).contains("of the $10 limit")
                .contains("resets at " + month.plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant());

        List<JsonNode> alerts = alerts(key.id());
        assertThat(alerts).extracting(n -> n.get("percent").asInt()).containsExactlyInAnyOrder(80, 95);
        for (JsonNode alert : alerts) {
            assertThat(new BigDecimal(alert.get("spent_usd").asText()))
                    .isGreaterThanOrEqualTo(limit.multiply(BigDecimal.valueOf(alert.get("percent").asInt())).movePointLeft(2));
            assertThat(alert.get("limit_usd").asText()).isEqualTo("10");
        }
    }

    @Test
    void aCounterLostInRedisIsRebuiltFromTheRecordsWithoutRepeatingAlerts() throws Exception {
        Gateway g = open().gateway();
        Model model = model(g);
        ApiKey key = g.apiKeys().create("sk-budget-" + UUID.randomUUID(), ApiKeySpec.named("r").monthlyBudgetUsd(BigDecimal.ONE));
        spend(g, key, model, new BigDecimal("0.85")); // passes 80 %
        RedisClient client = RedisClient.create(TestServers.redis().uri());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            String counter = id + ":budget:{" + key.id() + "}:" + YearMonth.now(ZoneOffset.UTC);
            assertThat(c.sync().get(counter)).isEqualTo("850000000");
            assertThat(c.sync().del(counter, counter + ":alerts")).isEqualTo(2); // Redis lost both
        } finally {
            client.shutdown();
        }
        assertThat(g.budgets().spent(key)).as("rebuilt from gateway_usage_records").isEqualByComparingTo("0.85");
        spend(g, key, model, new BigDecimal("0.12")); // passes 95 %
        assertThat(g.budgets().spent(key)).isEqualByComparingTo("0.97");
        assertThat(g.budgets().reserve(key, new BigDecimal("0.04")).allowed()).isFalse();
        assertThat(alerts(key.id())).extracting(n -> n.get("percent").asInt()).containsExactly(80, 95);
    }

    @Test
    void aKeyWithoutABudgetIsNeverRefusedAndBadAmountsAreRefusedNamingThem() {
        Gateway g = open().gateway();
        ApiKey free = g.apiKeys().create("sk-budget-" + UUID.randomUUID(), ApiKeySpec.named("free"));
        BudgetDecision d = g.budgets().reserve(free, new BigDecimal("1000000"));
        assertThat(d.allowed()).isTrue();
        assertThat(g.budgets().settle(d, BigDecimal.ONE)).isZero();
        assertThatThrownBy(() -> g.budgets().reserve(free, new BigDecimal("-1"))).hasMessage("estimateUsd must be >= 0, was -1");
        model(g);
        assertThat(g.budgets().estimate("gpt-4o", 1_000_000, 100_000)).isEqualByComparingTo("3.5"); // 2.5 + 1.0
    }

    void spend(Gateway g, ApiKey key, Model model, BigDecimal total) {
        BudgetDecision d = g.budgets().reserve(key, total);
        assertThat(d.allowed()).as(d.toString()).isTrue();
        g.records().create(UsageRecord.of(key.id(), model, Instant.now(), 1, 1, total));
        g.budgets().settle(d, total);
    }

    /** Every alert of {@code keyId} on this test's alerts topic, read to its end. */
    List<JsonNode> alerts(long keyId) throws Exception {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestServers.kafka().bootstrapServers());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> out = new ArrayList<>();
        pools.forEach(StoragePool::flush);
        Thread.sleep(500); // sends are asynchronous: let the last one land before reading to the end offsets
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(id + ".llm-alerts").stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                    assertThat(r.key()).isEqualTo(Long.toString(keyId));
                    out.add(json.readTree(r.value()));
                }
                return partitions.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp));
            });
        }
        return out;
    }
}
