/**
 * Machinery behind {@link io.llmstore.core.price.PriceCatalog}: catalog parsing, match rules,
 * the unit lattice, price tables and usage extractors. This package is not API: it may change
 * in any release without notice.
 */
package io.llmstore.core.price.internal;
