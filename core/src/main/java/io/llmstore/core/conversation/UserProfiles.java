package io.llmstore.core.conversation;

import java.util.Map;
import java.util.Optional;

/**
 * User profiles and their token quota. Thread-safe; any number of instances may use one database at once.
 *
 * <p>The quota is decided in the database, in one statement on the profile's row: {@link #tryConsume} can never let
 * instances together consume more than the quota, and the row is the one record (no second copy to reconcile).
 */
public interface UserProfiles {
    /**
     * Creates or replaces the profile's preferences, style, model and quota; keeps {@code createdAt} and the tokens
     * consumed, sets {@code updatedAt} to now. Returns the stored profile.
     */
    UserProfile upsert(UserProfile profile);

    /** The stored profile, or empty. */
    Optional<UserProfile> get(String userId);

    /**
     * Merges {@code patch} into the stored preferences (top-level keys replaced, others kept: jsonb {@code ||}), sets
     * {@code updatedAt}. Returns the stored profile.
     *
     * @throws io.llmstore.core.error.NotFoundException when the user has no profile
     */
    UserProfile updatePreferences(String userId, Map<String, Object> patch);

    /**
     * Atomically consumes {@code tokens} of the user's quota if they fit ({@code used + tokens <= quota}); without a
     * quota always consumes. A denial is a result, not an exception.
     *
     * @param tokens {@code >= 0}
     * @throws io.llmstore.core.error.NotFoundException when the user has no profile
     */
    QuotaDecision tryConsume(String userId, long tokens);

    /** Sets the tokens consumed back to 0 (a new quota period). @throws io.llmstore.core.error.NotFoundException */
    void resetQuota(String userId);

    /** Deletes the profile; true when there was one. */
    boolean delete(String userId);
}
