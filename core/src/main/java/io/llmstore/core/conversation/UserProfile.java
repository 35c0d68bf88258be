package io.llmstore.core.conversation;

import io.llmstore.core.internal.StorableText;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A user's profile: free-form preferences (a JSON object), conversation style, preferred model, and a token quota
 * with the tokens consumed against it. {@code createdAt} / {@code updatedAt} are the server's; on a profile to
 * upsert they are ignored (null).
 *
 * @param userId            non-blank
 * @param preferences       JSON-compatible values (maps, lists, strings, numbers, booleans, null); never null
 * @param conversationStyle free text, or null
 * @param preferredModel    a model id, or null
 * @param tokenQuota        tokens the user may consume, {@code >= 0}; null = no quota
 * @param tokensUsed        tokens consumed so far (read-only: upsert keeps the stored value)
 */
public record UserProfile(String userId, Map<String, Object> preferences, String conversationStyle,
                          String preferredModel, Long tokenQuota, long tokensUsed, Instant createdAt,
                          Instant updatedAt) {
    public UserProfile {
        StorableText.requireId("userId", userId, 256);
        // A copy that keeps JSON nulls (Map.copyOf refuses null values) and the caller's key order.
        preferences = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(
                Objects.requireNonNull(preferences, "preferences must not be null (use Map.of())")));
        if (conversationStyle != null) {
            StorableText.require("conversationStyle", conversationStyle, true);
        }
        if (preferredModel != null) {
            StorableText.require("preferredModel", preferredModel, true);
        }
        if (tokenQuota != null && tokenQuota < 0) {
            throw new IllegalArgumentException("tokenQuota must be >= 0 or null (no quota), was " + tokenQuota);
        }
    }

    /** A profile to upsert. */
    public static UserProfile of(String userId, Map<String, Object> preferences, String conversationStyle,
                                 String preferredModel, Long tokenQuota) {
        return new UserProfile(userId, preferences, conversationStyle, preferredModel, tokenQuota, 0, null, null);
    }
}
