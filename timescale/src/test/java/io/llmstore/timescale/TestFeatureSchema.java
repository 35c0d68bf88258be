package io.llmstore.timescale;

import io.llmstore.timescale.internal.FeatureSchema;
import java.util.List;

/**
 * A feature schema that exists only in tests, to prove the SPI with a second feature: scripts in test resources,
 * migrated after usage, recorded under its own name.
 */
public record TestFeatureSchema(String name, int order, String resourceFolder, List<String> scripts, Vector vector)
        implements FeatureSchema {
    /** {@code notes}: V1 a table plus a view over the usage table (fails unless usage migrated first), V2 an index. */
    public static TestFeatureSchema notes() {
        return new TestFeatureSchema("notes", 900, "/io/llmstore/timescale/notes/migrations/",
                List.of("V1__notes.sql", "V2__notes_index.sql"), Vector.NONE);
    }

    /** {@code vecnotes}: optional pgvector use, V1 with a {@code .vector} variant. */
    public static TestFeatureSchema vectorNotes() {
        return new TestFeatureSchema("vecnotes", 910, "/io/llmstore/timescale/vecnotes/migrations/",
                List.of("V1__vec_notes.sql", "V1__vec_notes.vector.sql"), Vector.OPTIONAL);
    }
}
