/**
 * The one exception family: {@link io.llmstore.core.error.StorageException} and the subtypes callers branch on.
 */
package io.llmstore.core.error;
