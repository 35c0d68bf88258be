/**
 * How backend modules plug into {@code StoragePool}: {@link io.llmstore.core.spi.BackendProvider} (found with
 * ServiceLoader) opens a {@link io.llmstore.core.spi.Backend}. Application code does not call this package.
 */
package io.llmstore.core.spi;
