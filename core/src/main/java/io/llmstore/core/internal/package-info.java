/** Not API: machinery of llmstore-core (the in-process fallback backend). It may change in any release. */
package io.llmstore.core.internal;
