package io.llmstore.timescale.conversation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmstore.core.conversation.QuotaDecision;
import io.llmstore.core.conversation.UserProfile;
import io.llmstore.core.conversation.UserProfiles;
import io.llmstore.core.error.NotFoundException;
import io.llmstore.core.internal.StorableText;
import io.llmstore.core.retry.RetryPolicy;
import io.llmstore.timescale.internal.Jdbc;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link UserProfiles} on PostgreSQL: {@code user_profiles}, preferences as {@code jsonb}.
 *
 * <p>The quota is one statement, {@code UPDATE ... SET tokens_used = tokens_used + n WHERE ... n <= token_quota -
 * tokens_used RETURNING}: the row lock makes concurrent consumers from any instance take turns, each re-checking the
 * condition against the committed value, so the sum granted never exceeds the quota. The database rather than Redis:
 * the profile row is already the record, so there is no second copy to keep in step, nothing to lose when Redis
 * restarts, and a consume costs one round trip on a primary key.
 */
public final class PostgresUserProfiles implements UserProfiles {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };
    private static final String RETURNING = " RETURNING user_id, preferences::text, conversation_style,"
            + " preferred_model, token_quota, tokens_used, created_at, updated_at";

    private final Jdbc jdbc;
    private final RetryPolicy retry;

    /** @param retry for reads; writes are not retried (a consume retried after a lost answer would count twice) */
    public PostgresUserProfiles(Jdbc jdbc, RetryPolicy retry) {
        this.jdbc = Objects.requireNonNull(jdbc, "jdbc");
        this.retry = Objects.requireNonNull(retry, "retry");
    }

    @Override
    public UserProfile upsert(UserProfile p) {
        Objects.requireNonNull(p, "profile must not be null");
        String json = json("preferences", p.preferences());
        return jdbc.autocommit("upserting a user profile", c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO user_profiles AS p (user_id, preferences,"
                    + " conversation_style, preferred_model, token_quota) VALUES (?, ?::jsonb, ?, ?, ?)"
                    + " ON CONFLICT (user_id) DO UPDATE SET preferences = EXCLUDED.preferences,"
                    + " conversation_style = EXCLUDED.conversation_style, preferred_model = EXCLUDED.preferred_model,"
                    + " token_quota = EXCLUDED.token_quota, updated_at = clock_timestamp()" + RETURNING)) {
                ps.setString(1, p.userId());
                ps.setString(2, json);
                ps.setString(3, p.conversationStyle());
                ps.setString(4, p.preferredModel());
                if (p.tokenQuota() == null) {
                    ps.setNull(5, Types.BIGINT);
                } else {
                    ps.setLong(5, p.tokenQuota());
                }
                return one(ps).orElseThrow();
            }
        });
    }

    @Override
    public Optional<UserProfile> get(String userId) {
        StorableText.requireId("userId", userId, PostgresConversationHistory.ID_MAX_LENGTH);
        return retry.call("reading a user profile", () -> jdbc.autocommit("reading a user profile", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT user_id, preferences::text, conversation_style,"
                    + " preferred_model, token_quota, tokens_used, created_at, updated_at FROM user_profiles"
                    + " WHERE user_id = ?")) {
                ps.setString(1, userId);
                return one(ps);
            }
        }));
    }

    @Override
    public UserProfile updatePreferences(String userId, Map<String, Object> patch) {
        StorableText.requireId("userId", userId, PostgresConversationHistory.ID_MAX_LENGTH);
        String json = json("patch", Objects.requireNonNull(patch, "patch must not be null"));
        return jdbc.autocommit("updating a user's preferences", c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE user_profiles SET preferences = preferences"
                    + " || ?::jsonb, updated_at = clock_timestamp() WHERE user_id = ?" + RETURNING)) {
                ps.setString(1, json);
                ps.setString(2, userId);
                return one(ps).orElseThrow(() -> noProfile(userId));
            }
        });
    }

    @Override
    public QuotaDecision tryConsume(String userId, long tokens) {
        StorableText.requireId("userId", userId, PostgresConversationHistory.ID_MAX_LENGTH);
        if (tokens < 0) {
            throw new IllegalArgumentException("tokens must be >= 0, was " + tokens);
        }
        return jdbc.autocommit("consuming a user's token quota", c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE user_profiles SET tokens_used = tokens_used + ?"
                    + " WHERE user_id = ? AND (token_quota IS NULL OR ? <= token_quota - tokens_used)"
                    + " RETURNING tokens_used, token_quota")) {
                ps.setLong(1, tokens);
                ps.setString(2, userId);
                ps.setLong(3, tokens);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return new QuotaDecision(true, rs.getLong(1), (Long) rs.getObject(2));
                    }
                }
            }
            return denied(c, userId);
        });
    }

    private static QuotaDecision denied(Connection c, String userId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT tokens_used, token_quota FROM user_profiles"
                + " WHERE user_id = ?")) {
            ps.setString(1, userId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw noProfile(userId);
                }
                return new QuotaDecision(false, rs.getLong(1), (Long) rs.getObject(2));
            }
        }
    }

    @Override
    public void resetQuota(String userId) {
        StorableText.requireId("userId", userId, PostgresConversationHistory.ID_MAX_LENGTH);
        int n = jdbc.autocommit("resetting a user's token quota", c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE user_profiles SET tokens_used = 0,"
                    + " updated_at = clock_timestamp() WHERE user_id = ?")) {
                ps.setString(1, userId);
                return ps.executeUpdate();
            }
        });
        if (n == 0) {
            throw noProfile(userId);
        }
    }

    @Override
    public boolean delete(String userId) {
        StorableText.requireId("userId", userId, PostgresConversationHistory.ID_MAX_LENGTH);
        return jdbc.autocommit("deleting a user profile", c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM user_profiles WHERE user_id = ?")) {
                ps.setString(1, userId);
                return ps.executeUpdate() > 0;
            }
        });
    }

    private static NotFoundException noProfile(String userId) {
        return new NotFoundException("no user profile for userId '" + userId + "' (upsert one first)");
    }

    private static Optional<UserProfile> one(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return Optional.empty();
            }
            Map<String, Object> prefs;
            try {
                prefs = JSON.readValue(rs.getString(2), MAP);
            } catch (JsonProcessingException e) {
                throw new SQLException("preferences of " + rs.getString(1) + " are not a JSON object", e);
            }
            return Optional.of(new UserProfile(rs.getString(1), prefs, rs.getString(3), rs.getString(4),
                    (Long) rs.getObject(5), rs.getLong(6), rs.getTimestamp(7).toInstant(),
                    rs.getTimestamp(8).toInstant()));
        }
    }

    /** JSON text of {@code value}; refuses what JSON or jsonb cannot hold, naming {@code field}. */
    private static String json(String field, Map<String, Object> value) {
        String text;
        try {
            text = JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(field + " must hold JSON values only: " + e.getOriginalMessage(), e);
        }
        if (text.contains("\\u0000")) {
            throw new IllegalArgumentException(field + " must not contain U+0000 (jsonb cannot store it)");
        }
        return text;
    }

    @Override
    public String toString() {
        return "PostgresUserProfiles";
    }
}
