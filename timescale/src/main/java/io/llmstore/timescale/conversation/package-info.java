/**
 * The conversations feature on PostgreSQL: {@link io.llmstore.timescale.conversation.PostgresConversationHistory},
 * {@link io.llmstore.timescale.conversation.PostgresUserProfiles} and their schema,
 * {@link io.llmstore.timescale.conversation.ConversationFeatureSchema}.
 */
package io.llmstore.timescale.conversation;
