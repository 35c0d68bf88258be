package io.llmstore.timescale.usage;

/** How usage rows reach the table ({@code DB_WRITE_MODE}). */
public enum WriteMode {
    /**
     * COPY unless the server cannot: detected once at start without issuing a COPY, from {@code version()} (the
     * PGlite server, which COPY would break until restart, reports an Emscripten build).
     */
    AUTO,
    /** {@code COPY ... FROM STDIN} into a session temp table, then {@code INSERT ... SELECT ... ON CONFLICT DO NOTHING}. */
    COPY,
    /** One {@code INSERT ... SELECT FROM unnest(arrays) ... ON CONFLICT DO NOTHING} per batch, all values bound. */
    INSERT
}
