/**
 * llmstore's entry point: {@link io.llmstore.core.StoragePool}, built from a
 * {@link io.llmstore.core.config.StorageConfig}, with one accessor per feature — {@code usage()}, {@code analytics()},
 * {@code cache()}, {@code limits()}, {@code sessions()}, {@code events()} — and {@code client(Class)} for raw driver
 * clients only.
 *
 * <p>How a feature attaches: its entry-point type (in its own core package) declares a
 * {@link io.llmstore.core.spi.Feature} descriptor naming the backends it needs; a backend serves the type from
 * {@link io.llmstore.core.spi.Backend#find}; the pool's accessor is one line, {@code return feature(X.FEATURE);}, and
 * its "not configured" message comes from the descriptor. Coming features ({@code traces()}, {@code gateway()},
 * {@code operations()}, {@code conversations()}, {@code embeddings()}) attach the same way; see
 * {@code docs/architecture.md}.
 */
package io.llmstore.core;
