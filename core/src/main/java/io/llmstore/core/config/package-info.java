/**
 * Configuration: {@link io.llmstore.core.config.StorageConfig} (builder, environment, {@code .env}, YAML; one
 * precedence order), {@link io.llmstore.core.config.Settings} for modules' own variables, and the variable
 * catalogue {@link io.llmstore.core.config.CoreSettings}.
 */
package io.llmstore.core.config;
