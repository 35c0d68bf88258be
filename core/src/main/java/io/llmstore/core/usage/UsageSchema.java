package io.llmstore.core.usage;

/**
 * The stored schema, managed by the library: each feature's versioned migrations (usage first), recorded in one
 * history table, applied once, safe when several application instances migrate at the same time.
 */
public interface UsageSchema {
    /**
     * Applies every migration not yet applied, feature by feature in a fixed order and each feature's in version
     * order, and returns what it did per feature. Idempotent: a second call applies nothing. Blocks while another
     * instance migrates the same schema.
     *
     * @throws io.llmstore.core.error.ConfigException when the database cannot be migrated safely: a script changed
     *         after it was applied, or a feature is at a version this release does not ship (no script is applied)
     * @throws io.llmstore.core.error.StorageException when a migration fails (the failed version is not recorded)
     */
    MigrationResult migrate();
}
