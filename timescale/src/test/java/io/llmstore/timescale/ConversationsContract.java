package io.llmstore.timescale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.conversation.ConversationHistory;
import io.llmstore.core.conversation.Message;
import io.llmstore.core.conversation.QuotaDecision;
import io.llmstore.core.conversation.Role;
import io.llmstore.core.conversation.SessionSummary;
import io.llmstore.core.conversation.StoredMessage;
import io.llmstore.core.conversation.UserProfile;
import io.llmstore.core.conversation.UserProfiles;
import io.llmstore.core.error.NotFoundException;
import io.llmstore.core.error.StorageException;
import io.llmstore.testkit.PostgresServer;
import io.llmstore.testkit.Schemas;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What {@code pool.conversations()} promises, on a real server: {@link PostgresConversationsTest} (PostgreSQL 15),
 * {@link TimescaleConversationsTest} (TimescaleDB). Each test owns a fresh schema; concurrency tests use two pools,
 * as two application instances would.
 */
abstract class ConversationsContract {
    protected String schema;
    protected final List<StoragePool> pools = new ArrayList<>();
    protected StoragePool pool;

    abstract PostgresServer server();

    @BeforeEach
    void openPoolOnFreshSchema() {
        schema = "c_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        pool = open();
    }

    @AfterEach
    void dropSchemaAndClose() throws SQLException {
        pools.forEach(StoragePool::close);
        try (Connection c = direct()) {
            Schemas.drop(c, schema);
        }
    }

    StoragePool open() {
        StoragePool p = StoragePool.create(StorageConfig.builder()
                .databaseUrl(server().databaseUrl())
                .poolMaxConnections(Math.min(4, server().maxConnections()))
                .poolMinConnections(1)
                .retryMaxAttempts(2)
                .set("DB_SCHEMA", schema)
                .set("DB_MIGRATE_ON_START", "true")
                .build());
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

    long scalar(String sql) throws SQLException {
        try (Connection c = direct(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    ConversationHistory history() {
        return pool.conversations().history();
    }

    UserProfiles profiles() {
        return pool.conversations().profiles();
    }

    // ---- history ----

    @Test
    void messagesComeBackVerbatimInOrderWithTheirSessionTotals() {
        String big = "x\u00e9\u4e2d\uD83D\uDE00".repeat(1_250_000); // 5M chars, 12.5 MB of UTF-8
        List<Message> turn = List.of(
                new Message(Role.SYSTEM, "You are terse.", 4, null),
                new Message(Role.USER, "\u05e9\u05dc\u05d5\u05dd e\u0301 \uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67 'quoted' \"dq\" \\ \t\n", 12, new BigDecimal("0.000120")),
                new Message(Role.ASSISTANT, big, 300, new BigDecimal("0.0045")),
                new Message(Role.TOOL, "{\"k\": [1, 2]}", 7, new BigDecimal("0.000001")));
        List<StoredMessage> stored = history().appendAll("u1", "s1", turn);
        assertThat(stored).extracting(StoredMessage::sequence).containsExactly(1L, 2L, 3L, 4L);
        history().append("u1", "s1", Message.user("next"));

        List<StoredMessage> all = history().session("s1");
        // compared without printing: a failure message holding 12 MB helps nobody
        assertThat(all.get(2).message().equals(turn.get(2))).as("the 5M-character message, verbatim").isTrue();
        assertThat(all).extracting(StoredMessage::message).filteredOn(m -> m != all.get(2).message())
                .containsExactly(turn.get(0), turn.get(1), turn.get(3), Message.user("next"));
        assertThat(all).extracting(StoredMessage::sequence).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(all).extracting(StoredMessage::timestamp).isSorted();
        assertThat(history().last("s1", 2)).extracting(StoredMessage::sequence).containsExactly(4L, 5L);
        assertThat(history().last("s1", 50)).hasSize(5);
        assertThat(history().last("nobody", 3)).isEmpty();

        long tokens = turn.stream().mapToLong(Message::tokensUsed).sum();
        BigDecimal cost = turn.stream().map(Message::costUsd).filter(c -> c != null).reduce(BigDecimal.ZERO, BigDecimal::add);
        SessionSummary s = history().summary("s1").orElseThrow();
        assertThat(s.messages()).isEqualTo(5);
        assertThat(s.tokensUsed()).isEqualTo(tokens);
        assertThat(s.costUsd()).isEqualByComparingTo(cost);
        assertThat(s.userId()).isEqualTo("u1");
    }

    @Test
    void badInputIsRefusedNamingTheField() {
        assertThatThrownBy(() -> Message.user("")).hasMessageContaining("content must not be empty");
        assertThatThrownBy(() -> Role.parse("robot")).hasMessageContaining("role must be one of system, user,"
                + " assistant, tool, was 'robot'");
        assertThatThrownBy(() -> Message.user("a\u0000b")).hasMessageContaining("content must not contain U+0000")
                .hasMessageContaining("index 1");
        assertThatThrownBy(() -> Message.user("ok\uD800")).hasMessageContaining("content must be valid Unicode")
                .hasMessageContaining("U+D800");
        assertThatThrownBy(() -> new Message(Role.USER, "x", -1, null)).hasMessageContaining("tokensUsed must be >= 0, was -1");
        assertThatThrownBy(() -> history().append(" ", "s", Message.user("x"))).hasMessageContaining("userId must not be blank");
        assertThatThrownBy(() -> history().append("u", "", Message.user("x"))).hasMessageContaining("sessionId must not be empty");
        assertThatThrownBy(() -> history().appendAll("u", "s", List.of())).hasMessageContaining("messages must not be empty");
        assertThatThrownBy(() -> history().last("s", -1)).hasMessageContaining("n must be >= 0, was -1");

        history().append("owner", "shared", Message.user("mine"));
        assertThatThrownBy(() -> history().append("intruder", "shared", Message.user("theirs")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sessionId 'shared' belongs to another user");
        assertThat(history().session("shared")).extracting(StoredMessage::content).containsExactly("mine");
        assertThat(history().summary("shared").orElseThrow().messages()).isEqualTo(1);
    }

    @Test
    void twoPoolsOfEightThreadsAppendingToOneSessionLeaveNoGapNoRepeatAndKeepEachWritersOrder() throws Exception {
        StoragePool second = open();
        int perThread = 25;
        ExecutorService exec = Executors.newFixedThreadPool(16);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int p = 0; p < 2; p++) {
            ConversationHistory h = (p == 0 ? pool : second).conversations().history();
            for (int t = 0; t < 8; t++) {
                String writer = "p" + p + "t" + t;
                done.add(exec.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        if (i % 5 == 0) { // a turn of two, which must stay together
                            h.appendAll("u", "hot", List.of(Message.user(writer + ":" + i + ":q"),
                                    Message.assistant(writer + ":" + i + ":a")));
                        } else {
                            h.append("u", "hot", Message.user(writer + ":" + i));
                        }
                    }
                    return null;
                }));
            }
        }
        start.countDown();
        for (Future<?> f : done) {
            f.get(120, TimeUnit.SECONDS);
        }
        exec.shutdown();

        List<StoredMessage> all = history().session("hot");
        int expected = 16 * (perThread + perThread / 5);
        assertThat(all).hasSize(expected);
        for (int i = 0; i < all.size(); i++) {
            assertThat(all.get(i).sequence()).as("sequence at position " + i).isEqualTo(i + 1);
        }
        Map<String, List<String>> byWriter = new HashMap<>();
        for (int i = 0; i < all.size(); i++) {
            String c = all.get(i).content();
            byWriter.computeIfAbsent(c.substring(0, c.indexOf(':')), k -> new ArrayList<>()).add(c);
            if (c.endsWith(":q")) {
                assertThat(all.get(i + 1).content()).as("the answer right after its question")
                        .isEqualTo(c.substring(0, c.length() - 1) + "a");
            }
        }
        assertThat(byWriter).hasSize(16);
        byWriter.forEach((w, contents) -> {
            List<String> own = new ArrayList<>();
            for (int i = 0; i < perThread; i++) {
                if (i % 5 == 0) {
                    own.add(w + ":" + i + ":q");
                    own.add(w + ":" + i + ":a");
                } else {
                    own.add(w + ":" + i);
                }
            }
            assertThat(contents).as("writer " + w + " in its own order").containsExactlyElementsOf(own);
        });
        assertThat(history().summary("hot").orElseThrow().messages()).isEqualTo(expected);
        assertThat(scalar("SELECT count(DISTINCT sequence) FROM conversations WHERE session_id = 'hot'")).isEqualTo(expected);
    }

    @Test
    void anAppendWhoseConnectionIsKilledStoresNothingAndLeavesNoGap() throws Exception {
        history().append("u", "k", Message.user("one"));
        try (Connection holder = direct(); Statement st = holder.createStatement()) {
            holder.setAutoCommit(false);
            st.executeQuery("SELECT 1 FROM conversation_sessions WHERE session_id = 'k' FOR UPDATE").close();
            CompletableFuture<StoredMessage> blocked = CompletableFuture.supplyAsync(
                    () -> history().append("u", "k", Message.user("lost")));
            await().atMost(Duration.ofSeconds(20)).until(() -> scalar("SELECT count(*) FROM pg_stat_activity"
                    + " WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO conversation_sessions%'") == 1);
            assertThat(scalar("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE wait_event_type"
                    + " = 'Lock' AND query LIKE 'INSERT INTO conversation_sessions%'")).isEqualTo(1);
            assertThatThrownBy(() -> blocked.get(20, TimeUnit.SECONDS)).hasCauseInstanceOf(StorageException.class);
            holder.rollback();
        }
        StoredMessage next = history().append("u", "k", Message.user("two"));
        assertThat(next.sequence()).isEqualTo(2);
        assertThat(history().session("k")).extracting(StoredMessage::content).containsExactly("one", "two");
    }

    @Test
    void aUsersSessionsAreListedAndErasureRemovesOnlyTheirs() {
        history().append("alice", "a1", Message.user("hi").withUsage(3, new BigDecimal("0.01")));
        history().append("alice", "a2", Message.user("again").withUsage(5, null));
        history().append("bob", "b1", Message.user("bob's"));
        profiles().upsert(UserProfile.of("alice", Map.of("lang", "fr"), null, null, 100L));

        assertThat(history().sessions("alice")).extracting(SessionSummary::sessionId).containsExactly("a2", "a1");
        assertThat(history().sessions("alice")).extracting(SessionSummary::tokensUsed).containsExactly(5L, 3L);
        assertThat(history().erase("alice")).isEqualTo(2);
        assertThat(profiles().delete("alice")).isTrue();

        assertThat(history().sessions("alice")).isEmpty();
        assertThat(history().session("a1")).isEmpty();
        assertThat(history().summary("a2")).isEmpty();
        assertThat(profiles().get("alice")).isEmpty();
        assertThat(history().session("b1")).extracting(StoredMessage::content).containsExactly("bob's");
        // an erased session id may start again, from 1
        assertThat(history().append("alice", "a1", Message.user("new")).sequence()).isEqualTo(1);
    }

    // ---- profiles ----

    @Test
    void upsertKeepsCreatedAtAndConsumptionAndMovesUpdatedAt() throws Exception {
        Map<String, Object> prefs = new LinkedHashMap<>();
        prefs.put("language", "\u65e5\u672c\u8a9e");
        prefs.put("nested", Map.of("a", 1));
        prefs.put("nothing", null);
        UserProfile first = profiles().upsert(UserProfile.of("u", prefs, "concise", "gpt-4o", 1000L));
        assertThat(first.preferences()).isEqualTo(prefs);
        assertThat(first.createdAt()).isEqualTo(first.updatedAt());
        assertThat(profiles().tryConsume("u", 10).allowed()).isTrue();
        Thread.sleep(5);

        UserProfile second = profiles().upsert(UserProfile.of("u", Map.of("language", "en"), null, "claude", 2000L));
        assertThat(second.createdAt()).isEqualTo(first.createdAt());
        assertThat(second.updatedAt()).isAfter(first.updatedAt());
        assertThat(second.preferences()).isEqualTo(Map.of("language", "en"));
        assertThat(second.conversationStyle()).isNull();
        assertThat(second.tokensUsed()).isEqualTo(10);
        assertThat(profiles().get("u").orElseThrow()).isEqualTo(second);
        assertThat(profiles().get("none")).isEmpty();
    }

    @Test
    void aPreferencesPatchReplacesOnlyItsTopLevelKeys() {
        profiles().upsert(UserProfile.of("u", Map.of("theme", "dark", "lang", "en", "deep", Map.of("x", 1, "y", 2)),
                null, null, null));
        UserProfile after = profiles().updatePreferences("u", Map.of("lang", "de", "deep", Map.of("z", 3), "new", true));
        Map<String, Object> expected = new HashMap<>(Map.of("theme", "dark", "lang", "en", "deep", Map.of("x", 1, "y", 2)));
        expected.putAll(Map.of("lang", "de", "deep", Map.of("z", 3), "new", true));
        assertThat(after.preferences()).isEqualTo(expected);
        assertThat(profiles().get("u").orElseThrow().preferences()).isEqualTo(expected);
        assertThatThrownBy(() -> profiles().updatePreferences("ghost", Map.of("a", 1)))
                .isInstanceOf(NotFoundException.class).hasMessageContaining("ghost");
        assertThatThrownBy(() -> profiles().updatePreferences("u", Map.of("bad", "a\u0000")))
                .hasMessageContaining("patch must not contain U+0000");
        assertThatThrownBy(() -> UserProfile.of("u", Map.of(), null, null, -1L))
                .hasMessageContaining("tokenQuota must be >= 0 or null (no quota), was -1");
    }

    @Test
    void quotaConsumedByTwoPoolsOfEightThreadsNeverOverspendsAndCountsEveryGrant() throws Exception {
        long quota = 1_000;
        profiles().upsert(UserProfile.of("q", Map.of(), null, null, quota));
        StoragePool second = open();
        AtomicLong granted = new AtomicLong();
        ConcurrentLinkedQueue<QuotaDecision> denials = new ConcurrentLinkedQueue<>();
        ExecutorService exec = Executors.newFixedThreadPool(16);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 16; t++) {
            UserProfiles p = (t % 2 == 0 ? pool : second).conversations().profiles();
            Random random = new Random(t);
            done.add(exec.submit(() -> {
                start.await();
                for (int i = 0; i < 40; i++) {
                    int n = 1 + random.nextInt(7);
                    QuotaDecision d = p.tryConsume("q", n);
                    if (d.allowed()) {
                        granted.addAndGet(n);
                    } else {
                        denials.add(d);
                    }
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : done) {
            f.get(120, TimeUnit.SECONDS);
        }
        exec.shutdown();
        long used = profiles().get("q").orElseThrow().tokensUsed();
        assertThat(used).as("stored consumption equals the sum granted").isEqualTo(granted.get());
        assertThat(used).isLessThanOrEqualTo(quota);
        assertThat(denials).isNotEmpty();
        assertThat(quota - used).as("a denial of n <= 7 tokens means less than 7 remained").isLessThan(7);
        assertThat(denials).allSatisfy(d -> assertThat(d.quota()).isEqualTo(quota));

        QuotaDecision last = profiles().tryConsume("q", quota - used + 1);
        assertThat(last.allowed()).isFalse();
        assertThat(last.remaining()).isEqualTo(quota - used);
        profiles().resetQuota("q");
        assertThat(profiles().tryConsume("q", quota).allowed()).isTrue();
        assertThatThrownBy(() -> profiles().tryConsume("ghost", 1)).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> profiles().tryConsume("q", -1)).hasMessageContaining("tokens must be >= 0, was -1");
        profiles().upsert(UserProfile.of("free", Map.of(), null, null, null));
        assertThat(profiles().tryConsume("free", Long.MAX_VALUE / 2).allowed()).isTrue();
    }
}
