/**
 * Conversation history and user profiles. Entry point: {@link io.llmstore.core.conversation.Conversations}
 * ({@code pool.conversations()}), with {@link io.llmstore.core.conversation.ConversationHistory} (append-only
 * {@link io.llmstore.core.conversation.Message}s, numbered per session) and
 * {@link io.llmstore.core.conversation.UserProfiles} (profiles, atomic token quota).
 */
package io.llmstore.core.conversation;
