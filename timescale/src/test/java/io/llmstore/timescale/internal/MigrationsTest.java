package io.llmstore.timescale.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmstore.core.error.NotConfiguredException;
import io.llmstore.timescale.TestFeatureSchema;
import io.llmstore.timescale.internal.Migrations.Migration;
import io.llmstore.timescale.previous.PreviousReleaseMigrations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Script selection and the pgvector rule: pure functions over the scripts, no server needed. */
class MigrationsTest {
    private static final FeatureSchema USAGE =
            FeatureSchemas.standard(Optional.empty(), Optional.empty(), Duration.ofMinutes(1)).get(0);

    private static List<String> files(List<Migration> plan) {
        return plan.stream().map(Migration::file).toList();
    }

    @Test
    void theUsageScriptsAreByteForByteThoseThePreviousReleaseShippedSoRecordedChecksumsMatch() {
        List<Migration> all = Migrations.load(USAGE);
        for (String flavor : List.of(Migrations.POSTGRESQL, Migrations.TIMESCALEDB)) {
            List<String> previous = new ArrayList<>();
            PreviousReleaseMigrations.forFlavor(flavor).forEach(m -> previous.add(m.file() + " " + m.checksum()));
            List<String> now = new ArrayList<>();
            Migrations.plan(all, flavor, false).forEach(m -> now.add(m.file() + " " + m.checksum()));
            // This release adds V5 (the stream columns); the scripts the previous release shipped are unchanged.
            assertThat(now.subList(0, previous.size())).as(flavor).containsExactlyElementsOf(previous);
            assertThat(now.subList(previous.size(), now.size())).as(flavor).allMatch(s -> s.startsWith("V5__stream_usage.sql "));
        }
    }

    @Test
    void eachFlavorGetsItsOwnScriptPerVersionAndSkipsVersionsNoScriptFits() {
        List<Migration> all = Migrations.load(USAGE);
        assertThat(files(Migrations.plan(all, Migrations.POSTGRESQL, false))).containsExactly("V1__usage_metrics.sql",
                "V3__rollups.postgresql.sql", "V4__exact_cost_token_classes.postgresql.sql", "V5__stream_usage.sql");
        assertThat(files(Migrations.plan(all, Migrations.TIMESCALEDB, false))).containsExactly("V1__usage_metrics.sql",
                "V2__hypertable.timescaledb.sql", "V3__rollups.timescaledb.sql",
                "V4__exact_cost_token_classes.timescaledb.sql", "V5__stream_usage.sql");
        assertThat(all).allSatisfy(m -> assertThat(m.feature()).isEqualTo("usage"));
    }

    @Test
    void theVectorVariantWinsWherePgvectorIsPresentAndTheCommonScriptElsewhere() {
        List<Migration> all = Migrations.load(TestFeatureSchema.vectorNotes());
        assertThat(files(Migrations.plan(all, Migrations.POSTGRESQL, true))).containsExactly("V1__vec_notes.vector.sql");
        assertThat(files(Migrations.plan(all, Migrations.TIMESCALEDB, true))).containsExactly("V1__vec_notes.vector.sql");
        assertThat(files(Migrations.plan(all, Migrations.POSTGRESQL, false))).containsExactly("V1__vec_notes.sql");
    }

    @Test
    void twoScriptsThatFitTheSameDatabaseEquallyAreAPackagingErrorNamingBoth() {
        FeatureSchema ambiguous = new TestFeatureSchema("ambiguous", 950, "/io/llmstore/timescale/ambiguous/migrations/",
                List.of("V1__a.timescaledb.sql", "V1__a.vector.sql"), FeatureSchema.Vector.OPTIONAL);
        assertThatThrownBy(() -> Migrations.load(ambiguous))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("feature ambiguous: V1__a.timescaledb.sql and V1__a.vector.sql both fit a timescaledb"
                        + " database with pgvector; give one of them a more specific name (.postgresql, .timescaledb,"
                        + " .vector)");
    }

    @Test
    void aVectorScriptInAFeatureWithoutPgvectorUseIsAPackagingError() {
        FeatureSchema wrong = new TestFeatureSchema("wrong", 950, "/io/llmstore/timescale/vecnotes/migrations/",
                List.of("V1__vec_notes.sql", "V1__vec_notes.vector.sql"), FeatureSchema.Vector.NONE);
        assertThatThrownBy(() -> Migrations.load(wrong))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("feature wrong: script V1__vec_notes.vector.sql is a .vector variant but the"
                        + " feature declares no pgvector use");
    }

    @Test
    void aBadScriptNameOrAMissingScriptNamesFeatureAndFile() {
        FeatureSchema badName = new TestFeatureSchema("bad", 950, "/io/llmstore/timescale/notes/migrations/",
                List.of("V1-notes.sql"), FeatureSchema.Vector.NONE);
        assertThatThrownBy(() -> Migrations.load(badName)).hasMessageContaining("feature bad: bad migration file name"
                + " V1-notes.sql (expected V<version>__<words>[.postgresql|.timescaledb][.vector].sql)");
        FeatureSchema missing = new TestFeatureSchema("missing", 950, "/io/llmstore/timescale/notes/migrations/",
                List.of("V3__gone.sql"), FeatureSchema.Vector.NONE);
        assertThatThrownBy(() -> Migrations.load(missing)).hasMessage("feature missing: migration"
                + " /io/llmstore/timescale/notes/migrations/V3__gone.sql is missing from the classpath");
    }

    @Test
    void aFeatureThatRequiresPgvectorWhereItIsAbsentFailsNamingTheFeatureAndTheExtension() {
        FeatureSchema required = new TestFeatureSchema("embedding", 950, "/x/", List.of(), FeatureSchema.Vector.REQUIRED);
        assertThatThrownBy(() -> SchemaMigrator.decideVector("app", required, false, false, false))
                .isInstanceOf(NotConfiguredException.class)
                .hasMessage("schema app: feature embedding needs the pgvector extension (vector), which this PostgreSQL"
                        + " server does not have (not in pg_available_extensions): install pgvector on the server"
                        + " (https://github.com/pgvector/pgvector), then migrate again");
        assertThat(SchemaMigrator.decideVector("app", required, false, false, true)).isTrue();
    }

    @Test
    void anOptionalPgvectorUserKeepsTheChoiceItsHistoryRecords() {
        FeatureSchema optional = TestFeatureSchema.vectorNotes();
        assertThat(SchemaMigrator.decideVector("app", optional, false, false, true)).as("new, pgvector here").isTrue();
        assertThat(SchemaMigrator.decideVector("app", optional, false, false, false)).as("new, no pgvector").isFalse();
        assertThat(SchemaMigrator.decideVector("app", optional, true, false, true))
                .as("migrated without pgvector before it was installed: stays without").isFalse();
        assertThat(SchemaMigrator.decideVector("app", optional, true, true, false)).as("recorded with pgvector").isTrue();
        assertThat(SchemaMigrator.decideVector("app", USAGE, false, false, true)).as("usage never").isFalse();
    }
}
