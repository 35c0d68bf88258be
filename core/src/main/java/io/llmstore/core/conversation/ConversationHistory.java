package io.llmstore.core.conversation;

import java.util.List;
import java.util.Optional;

/**
 * Conversation history, append-only: one row per message, numbered per session 1, 2, 3, ... in the order the appends
 * committed. Any number of instances may append to one session at once: the numbers never repeat and never leave a
 * gap, and the messages of one {@link #appendAll} call stay together and in their order. A turn writes only its new
 * messages, never the history again.
 *
 * <p>A session belongs to the user who first appended to it; appending to it as another user is refused. Thread-safe.
 * Appends are not retried (a retry after a commit whose answer was lost would store the message twice); reads are
 * retried with the pool's {@code DB_RETRY_*}. Backend failures throw {@link io.llmstore.core.error.StorageException}.
 */
public interface ConversationHistory {
    /** Appends one message to {@code sessionId} of {@code userId}, returning it with its sequence. */
    default StoredMessage append(String userId, String sessionId, Message message) {
        return appendAll(userId, sessionId, List.of(message)).get(0);
    }

    /**
     * Appends {@code messages} in one transaction, consecutive sequences in list order.
     *
     * @throws IllegalArgumentException for a bad id, an empty list, or a session held by another user
     */
    List<StoredMessage> appendAll(String userId, String sessionId, List<Message> messages);

    /** The last {@code n} messages of a session, oldest first; fewer when it holds fewer, none for an unknown one. */
    List<StoredMessage> last(String sessionId, int n);

    /** Every message of a session, oldest first. */
    List<StoredMessage> session(String sessionId);

    /** A session's counts, tokens and cost; empty for an unknown session. */
    Optional<SessionSummary> summary(String sessionId);

    /** The sessions of a user, the most recently active first. */
    List<SessionSummary> sessions(String userId);

    /** Deletes one session and its messages; returns how many messages were deleted (0 for an unknown session). */
    long deleteSession(String sessionId);

    /**
     * Erases every message and session of {@code userId} (an erasure request), returning how many messages were
     * deleted. The user's profile is erased by {@link UserProfiles#delete}; data other features hold is listed in
     * docs/conversations.md.
     */
    long erase(String userId);
}
