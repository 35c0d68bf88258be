package io.llmstore.core.usage;

/**
 * The usage tables' schema, managed by the library: versioned migrations recorded in a history table, applied
 * once, safe when several application instances migrate at the same time.
 */
public interface UsageSchema {
    /**
     * Applies every migration not yet applied, in version order, and returns what it did. Idempotent: a second
     * call applies nothing. Blocks while another instance migrates the same schema.
     *
     * @throws io.llmstore.core.error.StorageException when a migration fails (the failed version is not recorded)
     */
    MigrationResult migrate();
}
