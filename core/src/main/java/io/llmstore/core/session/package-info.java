/** User sessions: the {@link io.llmstore.core.session.SessionStore} port. */
package io.llmstore.core.session;
