/**
 * How backend modules plug into {@code StoragePool}: a {@link io.llmstore.core.spi.BackendProvider} (found with
 * ServiceLoader, or registered on the builder, where it replaces the ServiceLoader one of the same name) opens a
 * {@link io.llmstore.core.spi.Backend}, which serves feature entry points and raw clients. Each feature declares a
 * {@link io.llmstore.core.spi.Feature} naming the {@link io.llmstore.core.spi.BackendDescriptor}s it needs; the
 * descriptors word every "not configured" message. Application code uses this package only to register a provider
 * (e.g. {@code PostgresBackendProvider.using(dataSource)}).
 */
package io.llmstore.core.spi;
