/** Machinery of the gateway (the two-tier cache); not API. */
package io.llmstore.core.gateway.internal;
