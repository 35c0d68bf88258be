/**
 * User sessions: the {@link io.llmstore.core.session.SessionStore} port and its in-process fallback
 * {@link io.llmstore.core.session.LocalSessionStore}.
 */
package io.llmstore.core.session;
