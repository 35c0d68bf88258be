/**
 * llmstore's entry point: {@link io.llmstore.core.StoragePool}, built from a
 * {@link io.llmstore.core.config.StorageConfig}.
 */
package io.llmstore.core;
