package io.llmstore.timescale.conversation;

import io.llmstore.core.conversation.ConversationHistory;
import io.llmstore.core.conversation.Message;
import io.llmstore.core.conversation.Role;
import io.llmstore.core.conversation.SessionSummary;
import io.llmstore.core.conversation.StoredMessage;
import io.llmstore.core.internal.StorableText;
import io.llmstore.core.retry.RetryPolicy;
import io.llmstore.timescale.internal.Jdbc;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link ConversationHistory} on PostgreSQL (and TimescaleDB): {@code conversations} rows numbered through the
 * session's {@code conversation_sessions} row.
 *
 * <p>Why a counter row: an append first upserts the session row, adding its message count to {@code last_sequence},
 * and inserts its messages in the same transaction. The upsert holds the row's lock until commit, so appends to one
 * session take turns, whichever instance they come from; a rolled-back append rolls its numbers back too (no gap),
 * and the primary key {@code (session_id, sequence)} makes a repeat impossible. Appends to different sessions never
 * wait for each other. (An advisory lock would serialize the same way but leave the counting to a {@code max()} scan
 * per append; the row also carries the session's totals for {@link #summary}.)
 *
 * <p>Messages are stamped with {@code clock_timestamp()} after the lock is taken, so timestamps follow sequences.
 */
public final class PostgresConversationHistory implements ConversationHistory {
    static final int ID_MAX_LENGTH = 256;

    private static final String CLAIM = "INSERT INTO conversation_sessions AS s (session_id, user_id, last_sequence,"
            + " tokens_used, cost_usd, started_at, last_message_at) VALUES (?, ?, ?, ?, ?, clock_timestamp(),"
            + " clock_timestamp()) ON CONFLICT (session_id) DO UPDATE SET last_sequence = s.last_sequence"
            + " + EXCLUDED.last_sequence, tokens_used = s.tokens_used + EXCLUDED.tokens_used, cost_usd = s.cost_usd"
            + " + EXCLUDED.cost_usd, last_message_at = clock_timestamp() WHERE s.user_id = EXCLUDED.user_id"
            + " RETURNING last_sequence";
    private static final String INSERT = "INSERT INTO conversations (user_id, session_id, sequence, message_role,"
            + " message_content, \"timestamp\", tokens_used, cost_usd)"
            + " SELECT ?, ?, ? + m.ord, m.role, m.content, t.ts, m.tokens, m.cost"
            + " FROM (SELECT clock_timestamp() AS ts) t,"
            + " unnest(?::text[], ?::text[], ?::int[], ?::numeric[]) WITH ORDINALITY AS m(role, content, tokens, cost, ord)"
            + " RETURNING sequence, \"timestamp\"";
    private static final String COLUMNS = "user_id, session_id, sequence, \"timestamp\", message_role,"
            + " message_content, tokens_used, cost_usd";
    private static final String SUMMARY = "SELECT user_id, session_id, last_sequence, tokens_used, cost_usd,"
            + " started_at, last_message_at FROM conversation_sessions";

    private final Jdbc jdbc;
    private final RetryPolicy retry;

    /** @param retry for reads; appends and erasure are not retried (see {@link ConversationHistory}) */
    public PostgresConversationHistory(Jdbc jdbc, RetryPolicy retry) {
        this.jdbc = Objects.requireNonNull(jdbc, "jdbc");
        this.retry = Objects.requireNonNull(retry, "retry");
    }

    @Override
    public List<StoredMessage> appendAll(String userId, String sessionId, List<Message> messages) {
        StorableText.requireId("userId", userId, ID_MAX_LENGTH);
        StorableText.requireId("sessionId", sessionId, ID_MAX_LENGTH);
        Objects.requireNonNull(messages, "messages must not be null");
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("messages must not be empty");
        }
        int n = messages.size();
        String[] roles = new String[n];
        String[] contents = new String[n];
        Integer[] tokens = new Integer[n];
        BigDecimal[] costs = new BigDecimal[n];
        long tokenSum = 0;
        BigDecimal costSum = BigDecimal.ZERO;
        for (int i = 0; i < n; i++) {
            Message m = Objects.requireNonNull(messages.get(i), "messages[" + i + "] must not be null");
            roles[i] = m.role().wire();
            contents[i] = m.content();
            tokens[i] = m.tokensUsed();
            costs[i] = m.costUsd();
            tokenSum += m.tokensUsed();
            costSum = m.costUsd() == null ? costSum : costSum.add(m.costUsd());
        }
        long tokenTotal = tokenSum;
        BigDecimal costTotal = costSum;
        return jdbc.transaction("appending to session " + sessionId, c -> {
            long last = claim(c, userId, sessionId, n, tokenTotal, costTotal);
            List<StoredMessage> stored = new ArrayList<>(n);
            try (PreparedStatement ps = c.prepareStatement(INSERT)) {
                ps.setString(1, userId);
                ps.setString(2, sessionId);
                ps.setLong(3, last - n);
                ps.setArray(4, c.createArrayOf("text", roles));
                ps.setArray(5, c.createArrayOf("text", contents));
                ps.setArray(6, c.createArrayOf("int4", tokens));
                ps.setArray(7, c.createArrayOf("numeric", costs));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        long seq = rs.getLong(1);
                        stored.add(new StoredMessage(userId, sessionId, seq, rs.getTimestamp(2).toInstant(),
                                messages.get((int) (seq - (last - n) - 1))));
                    }
                }
            }
            stored.sort((a, b) -> Long.compare(a.sequence(), b.sequence()));
            return List.copyOf(stored);
        });
    }

    /** Takes the session's numbers {@code last - n + 1 .. last}, locking its row until commit. */
    private static long claim(Connection c, String userId, String sessionId, int n, long tokens, BigDecimal cost)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(CLAIM)) {
            ps.setString(1, sessionId);
            ps.setString(2, userId);
            ps.setLong(3, n);
            ps.setLong(4, tokens);
            ps.setBigDecimal(5, cost);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalArgumentException("sessionId '" + sessionId + "' belongs to another user than"
                            + " userId '" + userId + "'; a session has one owner");
                }
                return rs.getLong(1);
            }
        }
    }

    @Override
    public List<StoredMessage> last(String sessionId, int n) {
        StorableText.requireId("sessionId", sessionId, ID_MAX_LENGTH);
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, was " + n);
        }
        return read("reading the last messages of session " + sessionId, "SELECT * FROM (SELECT " + COLUMNS
                + " FROM conversations WHERE session_id = ? ORDER BY sequence DESC LIMIT ?) t ORDER BY sequence",
                sessionId, n);
    }

    @Override
    public List<StoredMessage> session(String sessionId) {
        StorableText.requireId("sessionId", sessionId, ID_MAX_LENGTH);
        return read("reading session " + sessionId, "SELECT " + COLUMNS
                + " FROM conversations WHERE session_id = ? ORDER BY sequence", sessionId, null);
    }

    private List<StoredMessage> read(String operation, String sql, String sessionId, Integer limit) {
        return retry.call(operation, () -> jdbc.autocommit(operation, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, sessionId);
                if (limit != null) {
                    ps.setInt(2, limit);
                }
                List<StoredMessage> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new StoredMessage(rs.getString(1), rs.getString(2), rs.getLong(3),
                                rs.getTimestamp(4).toInstant(), new Message(Role.parse(rs.getString(5)),
                                rs.getString(6), rs.getInt(7), rs.getBigDecimal(8))));
                    }
                }
                return List.copyOf(out);
            }
        }));
    }

    @Override
    public Optional<SessionSummary> summary(String sessionId) {
        StorableText.requireId("sessionId", sessionId, ID_MAX_LENGTH);
        List<SessionSummary> found = summaries("reading the summary of session " + sessionId,
                SUMMARY + " WHERE session_id = ?", sessionId);
        return found.stream().findFirst();
    }

    @Override
    public List<SessionSummary> sessions(String userId) {
        StorableText.requireId("userId", userId, ID_MAX_LENGTH);
        return summaries("listing the sessions of a user", SUMMARY
                + " WHERE user_id = ? ORDER BY last_message_at DESC, session_id", userId);
    }

    private List<SessionSummary> summaries(String operation, String sql, String key) {
        return retry.call(operation, () -> jdbc.autocommit(operation, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, key);
                List<SessionSummary> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new SessionSummary(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4),
                                rs.getBigDecimal(5).stripTrailingZeros(), rs.getTimestamp(6).toInstant(),
                                rs.getTimestamp(7).toInstant()));
                    }
                }
                return List.copyOf(out);
            }
        }));
    }

    @Override
    public long deleteSession(String sessionId) {
        StorableText.requireId("sessionId", sessionId, ID_MAX_LENGTH);
        return jdbc.transaction("deleting session " + sessionId, c -> {
            try (PreparedStatement session = c.prepareStatement("DELETE FROM conversation_sessions WHERE session_id = ?");
                 PreparedStatement rows = c.prepareStatement("DELETE FROM conversations WHERE session_id = ?")) {
                session.setString(1, sessionId);
                session.executeUpdate();
                rows.setString(1, sessionId);
                return (long) rows.executeUpdate();
            }
        });
    }

    @Override
    public long erase(String userId) {
        StorableText.requireId("userId", userId, ID_MAX_LENGTH);
        // Sessions first: deleting their rows waits for appends in flight (they hold the row locks), and the
        // messages' DELETE that follows, a new snapshot in READ COMMITTED, sees what those appends committed.
        return jdbc.transaction("erasing a user's conversations", c -> {
            try (PreparedStatement sessions = c.prepareStatement("DELETE FROM conversation_sessions WHERE user_id = ?");
                 PreparedStatement rows = c.prepareStatement("DELETE FROM conversations WHERE user_id = ?")) {
                sessions.setString(1, userId);
                sessions.executeUpdate();
                rows.setString(1, userId);
                return (long) rows.executeUpdate();
            }
        });
    }

    @Override
    public String toString() {
        return "PostgresConversationHistory";
    }
}
