package io.llmstore.timescale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.llmstore.core.StoragePool;
import io.llmstore.core.usage.PageCursor;
import io.llmstore.core.usage.UsageFilter;
import io.llmstore.core.usage.UsageMetric;
import io.llmstore.core.usage.UsagePage;
import io.llmstore.core.usage.UsageQueries;
import io.llmstore.testkit.PostgresServer;
import io.llmstore.testkit.TestServers;
import io.llmstore.timescale.usage.TimescaleUsageWriter;
import io.llmstore.timescale.usage.WriteMode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The usage store contract on a real TimescaleDB (preloaded, its own job scheduler), plus what only TimescaleDB
 * does: COPY into the hypertable, and the refresh, compression and retention policies, observed firing by
 * themselves (the tests shorten a schedule; they never run a job by hand).
 */
class TimescaleUsageStoreTest extends UsageStoreContract {
    private static final Duration POLICY_WAIT = Duration.ofSeconds(90);

    @Override
    PostgresServer server() {
        return TestServers.timescale();
    }

    @Override
    boolean expectTimescale() {
        return true;
    }

    @Test
    void autoWriteModeUsesCopyIntoTheHypertableWithAPoolOfFour() throws Exception {
        assertThat(pool.client(TimescaleUsageWriter.class).orElseThrow().mode()).isEqualTo(WriteMode.COPY);
        List<UsageMetric> rows = UsageData.generate(20_000, 3, 91);
        // Four writers at once, each COPYing its own slice, so the pool's four connections are all in use.
        ExecutorService writers = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                List<UsageMetric> slice = rows.subList(i * 5000, (i + 1) * 5000);
                done.add(writers.submit(() -> pool.usage().recordAll(slice)));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            writers.shutdownNow();
        }
        assertThat(count()).isEqualTo(20_000);
        try (Connection c = connection(); Statement st = c.createStatement()) {
            ResultSet rs = st.executeQuery("SELECT count(*) FROM show_chunks('\"" + schema + "\".llm_usage_metrics')");
            rs.next();
            assertThat(rs.getInt(1)).as("daily chunks over three days").isBetween(3, 4);
        }
    }

    @Test
    void refreshRollupsWaitsOutAConcurrentRefreshOfTheSameRollupInsteadOfFailing() throws Exception {
        List<UsageMetric> rows = UsageData.generate(2000, 2, 93);
        pool.usage().recordAll(rows);
        UsageQueries q = pool.analytics();
        ExecutorService refreshers = Executors.newFixedThreadPool(2);
        try (Connection locker = connection(); Statement st = locker.createStatement()) {
            ResultSet rs = st.executeQuery("SELECT format('%I.%I', materialization_hypertable_schema,"
                    + " materialization_hypertable_name) FROM timescaledb_information.continuous_aggregates"
                    + " WHERE view_schema = '" + schema + "' AND view_name = 'llm_usage_hourly'");
            assertThat(rs.next()).isTrue();
            String materialized = rs.getString(1);
            // Hold the hourly rollup's storage, so another refresh ("the policy") starts, claims its window, and waits.
            locker.setAutoCommit(false);
            st.execute("LOCK TABLE " + materialized + " IN ACCESS EXCLUSIVE MODE");
            Future<?> other = refreshers.submit(() -> {
                try (Connection c = connection()) {
                    refreshWaitingOutPolicies(c, "llm_usage_hourly");
                }
                return null;
            });
            // That refresh, or the policy's own run if it came first (a background worker; "other" then retries on
            // 55P03 like ours will, sleeping rather than waiting on the lock)
            await().atMost(Duration.ofSeconds(30)).until(() -> aRefreshWaitsOnTheLock(materialized));
            Future<?> ours = refreshers.submit(() -> q.refreshRollups(UsageData.START, UsageData.START.plus(Duration.ofDays(2))));
            Thread.sleep(1500);
            assertThat(ours).as("refreshRollups waits while the other refresh holds the window").isNotDone();
            locker.commit();
            other.get(30, TimeUnit.SECONDS);
            ours.get(30, TimeUnit.SECONDS);
        } finally {
            refreshers.shutdownNow();
        }
        UsageFilter all = UsageFilter.between(UsageData.START, UsageData.START.plus(Duration.ofDays(2)));
        assertBuckets("hourly after a concurrent refresh", q.hourly(all), rows, Duration.ofHours(1));
    }

    private boolean aRefreshWaitsOnTheLock(String materialized) throws SQLException {
        try (Connection c = connection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = '" + materialized + "'::regclass")) {
            rs.next();
            return rs.getInt(1) > 0;
        }
    }

    @Test
    void theUsageTableIsAHypertableAndTheRollupsAreContinuousAggregatesWithRefreshPolicies() throws SQLException {
        try (Connection c = dataSource(pool).getConnection(); Statement st = c.createStatement()) {
            ResultSet rs = st.executeQuery("SELECT count(*) FROM timescaledb_information.hypertables WHERE "
                    + "hypertable_schema = '" + schema + "' AND hypertable_name = 'llm_usage_metrics'");
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(1);
            rs = st.executeQuery("SELECT view_name, materialized_only FROM timescaledb_information.continuous_aggregates"
                    + " WHERE view_schema = '" + schema + "' ORDER BY view_name");
            List<String> views = new ArrayList<>();
            while (rs.next()) {
                views.add(rs.getString(1) + " materialized_only=" + rs.getBoolean(2));
            }
            assertThat(views).containsExactly("llm_usage_daily materialized_only=false", "llm_usage_hourly materialized_only=false");
            // Two refresh policies over all time (start_offset NULL), every TIMESCALE_ROLLUP_REFRESH (default 1m).
            rs = st.executeQuery("SELECT config->>'start_offset', schedule_interval FROM timescaledb_information.jobs j"
                    + " WHERE proc_name = 'policy_refresh_continuous_aggregate' AND " + jobsOfSchema());
            List<String> policies = new ArrayList<>();
            while (rs.next()) {
                policies.add(rs.getString(1) + " every " + rs.getString(2));
            }
            assertThat(policies).containsExactly("null every 00:01:00", "null every 00:01:00");
        }
    }

    @Test
    void retentionAndCompressionPoliciesComeFromConfiguration() throws SQLException {
        pool.close();
        StoragePool p = open(Map.of("TIMESCALE_RETENTION", "90d", "TIMESCALE_COMPRESS_AFTER", "7d"));
        try (Connection c = dataSource(p).getConnection(); Statement st = c.createStatement()) {
            assertThat(jobs(st)).contains("policy_retention", "policy_compression");
        }
        // Re-applying on the next start replaces, never duplicates, the policies.
        p.usage().migrate();
        try (Connection c = dataSource(p).getConnection(); Statement st = c.createStatement()) {
            List<String> jobs = jobs(st);
            assertThat(jobs.stream().filter("policy_retention"::equals)).hasSize(1);
            assertThat(jobs.stream().filter("policy_compression"::equals)).hasSize(1);
            assertThat(jobs.stream().filter("policy_refresh_continuous_aggregate"::equals)).hasSize(2);
            // With retention the refresh windows start at its horizon, so no refresh empties a dropped day.
            ResultSet rs = st.executeQuery("SELECT config->>'start_offset' FROM timescaledb_information.jobs j"
                    + " WHERE proc_name = 'policy_refresh_continuous_aggregate' AND " + jobsOfSchema());
            while (rs.next()) {
                assertThat(rs.getString(1)).isEqualTo("2160:00:00"); // 90 days
            }
        }
    }

    @Test
    void rowsOfTheCurrentHourShowInTheRollupsAtOnce() {
        StoragePool p = open(Map.of("TIMESCALE_ROLLUP_REFRESH", "1s"));
        Instant now = Instant.now();
        List<UsageMetric> recent = new ArrayList<>();
        for (int i = 0; i < 50; i++) { // the last few minutes, so no refresh can have materialized their bucket yet
            recent.add(UsageMetric.builder().eventId(new UUID(85, i)).time(now.minusMillis(1000L * i))
                    .model(i % 2 == 0 ? "gpt-4o" : "claude-sonnet-4-5").provider(i % 2 == 0 ? "openai" : "anthropic")
                    .tokens(100 + i, 10).build());
        }
        p.usage().recordAll(recent);
        // Whole buckets: from the start of yesterday (the rows may straddle midnight), to now.
        UsageFilter window = UsageFilter.between(now.truncatedTo(ChronoUnit.DAYS).minus(Duration.ofDays(1)), now.plusSeconds(1));
        assertBuckets("hourly, at once", p.analytics().hourly(window), recent, Duration.ofHours(1));
        assertBuckets("daily, at once", p.analytics().daily(window), recent, Duration.ofDays(1));
    }

    @Test
    void aRetentionShorterThanTheDailyRollupsRefreshWindowIsRefusedNamingTheVariable() {
        assertThatThrownBy(() -> open(Map.of("TIMESCALE_RETENTION", "2d")))
                .isInstanceOf(io.llmstore.core.error.ConfigException.class)
                .hasMessageContaining("TIMESCALE_RETENTION").hasMessageContaining("at least 3d");
    }

    @Test
    void lateRowsInAlreadyMaterializedBucketsReachTheRollupsWithoutAnyCall() throws SQLException {
        StoragePool p = open(Map.of("TIMESCALE_ROLLUP_REFRESH", "1s"));
        List<UsageMetric> onTime = UsageData.generate(1500, 2, 81);
        p.usage().recordAll(onTime);
        awaitRefreshRuns(2); // both policies ran after the rows were written: their buckets are materialized now
        UsageQueries q = p.analytics();
        UsageFilter hours = UsageFilter.between(UsageData.START, UsageData.START.plus(Duration.ofDays(2)));
        assertBuckets("hourly, materialized", q.hourly(hours), onTime, Duration.ofHours(1));

        // Late rows (a replay, an outage's backlog) into the same, materialized buckets, nine months back.
        List<UsageMetric> late = UsageData.generate(300, 2, 82);
        p.usage().recordAll(late);
        List<UsageMetric> all = Stream.concat(onTime.stream(), late.stream()).toList();
        long written = System.nanoTime();
        await().atMost(POLICY_WAIT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            assertBuckets("hourly with late rows", q.hourly(hours), all, Duration.ofHours(1));
            assertBuckets("daily with late rows", q.daily(hours), all, Duration.ofDays(1));
        });
        System.err.printf("late rows reached both rollups %d ms after their write (TIMESCALE_ROLLUP_REFRESH=1s)%n",
                (System.nanoTime() - written) / 1_000_000);
    }

    @Test
    void compressedChunksAnswerEveryQueryAsBeforeAndStillTakeLateRows() throws SQLException {
        StoragePool p = open(Map.of("TIMESCALE_COMPRESS_AFTER", "1d"));
        List<UsageMetric> rows = UsageData.generate(4000, 4, 83);
        p.usage().recordAll(rows);
        // Rows nine months back: materialize them first, so "before" is the rollups' settled answer.
        p.analytics().refreshRollups(UsageData.START, UsageData.START.plus(Duration.ofDays(4)));
        List<String> before = everyAnswer(p.analytics());

        runSoon("policy_compression");
        await().atMost(POLICY_WAIT).pollInterval(Duration.ofMillis(500)).until(() -> chunks("is_compressed") == chunks("true"));
        assertThat(chunks("is_compressed")).isGreaterThanOrEqualTo(4);
        assertThat(everyAnswer(p.analytics())).containsExactlyElementsOf(before);

        // A late row into a compressed chunk is stored once; replaying it adds nothing.
        UsageMetric lateRow = UsageMetric.builder().eventId(UUID.randomUUID()).time(UsageData.START.plusSeconds(3600))
                .model("gpt-4o").provider("openai").tokens(7, 3).build();
        p.usage().recordAll(List.of(lateRow));
        p.usage().recordAll(List.of(lateRow));
        assertThat(count("event_id = '" + lateRow.eventId() + "'")).isEqualTo(1);
    }

    @Test
    void retentionDropsExactlyTheChunksPastItsWindowAndTheRollupsKeepTheirRows() throws SQLException {
        Instant opened = Instant.now();
        StoragePool p = open(Map.of("TIMESCALE_RETENTION", "30d"));
        awaitRefreshRuns(2, opened); // new policies run once at creation; a manual refresh beside them would collide
        Instant today = Instant.now().truncatedTo(ChronoUnit.DAYS);
        List<UsageMetric> rows = new ArrayList<>();
        for (int d = 60; d >= 2; d--) { // one row at noon on each of the last 60 days but today and yesterday
            rows.add(UsageMetric.builder().eventId(new UUID(84, d)).time(today.minus(Duration.ofDays(d)).plusSeconds(43_200))
                    .model("gpt-4o").provider("openai").tokens(100, d).build());
        }
        p.usage().recordAll(rows);
        // The rows arrived as a backfill; had they come day by day, the refresh policy would have materialized each
        // day while it was young. refreshRollups stands in for those runs.
        p.analytics().refreshRollups(today.minus(Duration.ofDays(61)), today);

        Instant ranAt = runSoonAndAwait("policy_retention");
        Instant dropped = Instant.now();
        runSoon("policy_refresh_continuous_aggregate");
        awaitRefreshRuns(2, dropped); // the policies ran after the chunks were dropped: they must leave those days alone
        // A chunk covers one UTC day; the job drops those whose end lies at or before (its start - 30 days).
        Instant cutoff = ranAt.minus(Duration.ofDays(30));
        List<UsageMetric> kept = rows.stream()
                .filter(m -> m.time().truncatedTo(ChronoUnit.DAYS).plus(Duration.ofDays(1)).isAfter(cutoff)).toList();
        assertThat(kept.size()).isBetween(29, 31);
        UsageFilter all = UsageFilter.between(today.minus(Duration.ofDays(61)), today);
        assertThat(allRows(all)).containsExactlyElementsOf(sorted(kept));
        assertThat(p.analytics().daily(all)).as("the daily rollup keeps the dropped days").hasSize(rows.size());
        assertBuckets("daily after retention", p.analytics().daily(all), rows, Duration.ofDays(1));
    }

    // ------------------------------------------------------------------ helpers

    /** Every query's answer over the data of the compression test, formatted for comparison. */
    private List<String> everyAnswer(UsageQueries q) {
        UsageFilter f = UsageFilter.between(UsageData.START, UsageData.START.plus(Duration.ofDays(4)));
        List<String> out = new ArrayList<>();
        out.addAll(fmtModels(q.usageByModel(f)));
        out.addAll(fmtProviders(q.costByProvider(f)));
        out.addAll(fmtErrors(q.errors(f)));
        out.addAll(fmtBuckets(q.timeSeries(f, Duration.ofHours(6))));
        out.addAll(fmtBuckets(q.hourly(f)));
        out.addAll(fmtBuckets(q.daily(f)));
        out.addAll(fmtBuckets(q.daily(f.withProvider("openai"))));
        Optional<PageCursor> cursor = Optional.empty();
        do {
            UsagePage page = q.rows(f.withMinTokens(2000), cursor, 500);
            page.rows().forEach(m -> out.add(m.toString()));
            cursor = page.next();
        } while (cursor.isPresent());
        return out;
    }

    /** Chunks of this schema's hypertable where {@code predicate} holds. */
    private long chunks(String predicate) throws SQLException {
        try (Connection c = connection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT count(*) FROM timescaledb_information.chunks WHERE hypertable_schema = '" + schema
                        + "' AND hypertable_name = 'llm_usage_metrics' AND " + predicate)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** This schema's jobs: the hypertable's and its continuous aggregates' (listed under the view's name). */
    private String jobsOfSchema() {
        return "j.hypertable_schema = '" + schema + "'";
    }

    /** Waits until {@code n} refresh policies of this schema each finished a run that started after now. */
    private void awaitRefreshRuns(int n) throws SQLException {
        awaitRefreshRuns(n, Instant.now());
    }

    /** Waits until {@code n} refresh policies of this schema each finished a run that started after {@code after}. */
    private void awaitRefreshRuns(int n, Instant after) throws SQLException {
        String sql = "SELECT count(*) FROM timescaledb_information.job_stats s JOIN timescaledb_information.jobs j"
                + " USING (job_id) WHERE j.proc_name = 'policy_refresh_continuous_aggregate' AND " + jobsOfSchema()
                + " AND s.last_run_status = 'Success' AND s.last_run_started_at > '" + after + "'::timestamptz"
                + " AND s.job_status = 'Scheduled'";
        await().atMost(POLICY_WAIT).pollInterval(Duration.ofMillis(250)).until(() -> {
            try (Connection c = connection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
                rs.next();
                return rs.getInt(1) >= n;
            }
        });
    }

    /** Moves a policy's next start to now: the scheduler then runs it by itself (no run_job). */
    private void runSoon(String proc) throws SQLException {
        try (Connection c = connection(); Statement st = c.createStatement()) {
            ResultSet rs = st.executeQuery("SELECT alter_job(job_id, next_start => now()) FROM timescaledb_information.jobs j"
                    + " WHERE proc_name = '" + proc + "' AND " + jobsOfSchema());
            assertThat(rs.next()).as("a %s job for schema %s", proc, schema).isTrue();
        }
    }

    /** {@link #runSoon}, then waits for its successful run and returns when that run started. */
    private Instant runSoonAndAwait(String proc) throws SQLException {
        Instant after = Instant.now();
        runSoon(proc);
        String sql = "SELECT s.last_run_started_at FROM timescaledb_information.job_stats s"
                + " JOIN timescaledb_information.jobs j USING (job_id) WHERE j.proc_name = '" + proc + "' AND "
                + jobsOfSchema() + " AND s.last_run_status = 'Success' AND s.job_status = 'Scheduled'"
                + " AND s.last_run_started_at > '" + after + "'::timestamptz";
        Instant[] started = new Instant[1];
        await().atMost(POLICY_WAIT).pollInterval(Duration.ofMillis(250)).until(() -> {
            try (Connection c = connection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
                if (rs.next()) {
                    started[0] = rs.getTimestamp(1).toInstant();
                    return true;
                }
                return false;
            }
        });
        return started[0];
    }

    private List<String> jobs(Statement st) throws SQLException {
        ResultSet rs = st.executeQuery("SELECT proc_name FROM timescaledb_information.jobs j WHERE " + jobsOfSchema());
        List<String> jobs = new ArrayList<>();
        while (rs.next()) {
            jobs.add(rs.getString(1));
        }
        return jobs;
    }
}
