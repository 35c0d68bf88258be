package io.llmstore.timescale.trace;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmstore.core.price.TokenUsage;
import io.llmstore.core.retry.RetryPolicy;
import io.llmstore.core.trace.LlmSpan;
import io.llmstore.core.trace.SpanTotals;
import io.llmstore.core.trace.TraceCursor;
import io.llmstore.core.trace.TraceFilter;
import io.llmstore.core.trace.TraceIds;
import io.llmstore.core.trace.TracePage;
import io.llmstore.core.trace.TraceSummary;
import io.llmstore.core.trace.TraceTree;
import io.llmstore.timescale.internal.SqlErrors;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The trace queries over {@code llm_spans} (joined to {@code llm_traces} for the application's trace id), every
 * value bound. Totals are computed here from the spans ({@link SpanTotals#of}), never stored. Plain JDBC rather than
 * jOOQ: each query is one fixed statement and the mapping to {@link LlmSpan} is by column, so a DSL adds nothing.
 * Thread-safe; does not own the {@link DataSource}.
 */
final class SpanQueries {
    /** Most traces per page. */
    static final int MAX_PAGE = 1000;
    /** Most spans a slowest/error query returns. */
    static final int MAX_SPANS = 10_000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SELECT = "SELECT t.external_id, s.span_id, s.parent_span_id, s.name, s.operation,"
            + " s.provider, s.request_model, s.response_model, s.response_id, s.input, s.output, s.finish_reasons::text,"
            + " s.token_input, s.token_output, s.token_cache_read, s.token_cache_write, s.token_reasoning, s.cost_usd,"
            + " s.price_source, s.start_time, s.end_time, s.status, s.status_message, s.attributes::text,"
            + " s.conversation_id, s.user_id FROM llm_spans s JOIN llm_traces t ON t.trace_id = s.trace_id";

    private final DataSource dataSource;
    private final RetryPolicy retry;

    SpanQueries(DataSource dataSource, RetryPolicy retry) {
        this.dataSource = dataSource;
        this.retry = retry;
    }

    Optional<TraceTree> trace(String traceId) {
        List<LlmSpan> spans = spansOf(traceId);
        return spans.isEmpty() ? Optional.empty() : Optional.of(TraceTree.of(traceId, spans));
    }

    Optional<TraceSummary> totals(String traceId) {
        List<LlmSpan> spans = spansOf(traceId);
        if (spans.isEmpty()) {
            return Optional.empty();
        }
        SpanTotals totals = SpanTotals.of(spans);
        return Optional.of(new TraceSummary(traceId, TraceIds.uuidOf(traceId), totals.start(), totals));
    }

    private List<LlmSpan> spansOf(String traceId) {
        requireId("traceId", traceId);
        return spans("trace " + traceId, SELECT + " WHERE s.trace_id = ?::uuid", TraceIds.uuidOf(traceId).toString());
    }

    List<LlmSpan> slowest(Instant from, Instant to, int limit) {
        requireWindow(from, to);
        requireLimit(limit, MAX_SPANS);
        return spans("slowest spans", SELECT + " WHERE s.start_time >= ? AND s.start_time < ?"
                + " ORDER BY s.end_time - s.start_time DESC, s.start_time, s.span_id LIMIT ?", time(from), time(to), limit);
    }

    List<LlmSpan> errors(Instant from, Instant to, int limit) {
        requireWindow(from, to);
        requireLimit(limit, MAX_SPANS);
        return spans("error spans", SELECT + " WHERE s.status = 'error' AND s.start_time >= ? AND s.start_time < ?"
                + " ORDER BY s.start_time DESC, s.span_id LIMIT ?", time(from), time(to), limit);
    }

    SpanTotals conversationCost(String conversationId) {
        requireId("conversationId", conversationId);
        return SpanTotals.of(spans("conversation " + conversationId, SELECT + " WHERE s.conversation_id = ?", conversationId));
    }

    TracePage traces(TraceFilter f, Optional<TraceCursor> after, int limit) {
        java.util.Objects.requireNonNull(f, "filter");
        java.util.Objects.requireNonNull(after, "after");
        requireLimit(limit, MAX_PAGE);
        StringBuilder sql = new StringBuilder("SELECT trace_id, min(start_time) AS started FROM llm_spans"
                + " WHERE start_time >= ? AND start_time < ?");
        List<Object> binds = new ArrayList<>(List.of(time(f.from()), time(f.to())));
        if (f.userId() != null) {
            sql.append(" AND user_id = ?");
            binds.add(f.userId());
        }
        if (f.conversationId() != null) {
            sql.append(" AND conversation_id = ?");
            binds.add(f.conversationId());
        }
        sql.append(" GROUP BY trace_id");
        if (after.isPresent()) {
            sql.append(" HAVING (min(start_time), trace_id) > (?, ?::uuid)");
            binds.add(time(after.get().started()));
            binds.add(after.get().id().toString());
        }
        sql.append(" ORDER BY started, trace_id LIMIT ?");
        binds.add(limit + 1);
        return retry.call("listing traces", () -> {
            try (Connection c = dataSource.getConnection()) {
                Map<UUID, Instant> started = new LinkedHashMap<>();
                try (PreparedStatement ps = prepare(c, sql.toString(), binds.toArray()); ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        started.put(rs.getObject(1, UUID.class), rs.getObject(2, OffsetDateTime.class).toInstant());
                    }
                }
                boolean more = started.size() > limit;
                List<UUID> ids = new ArrayList<>(started.keySet());
                if (more) {
                    ids = ids.subList(0, limit);
                }
                Map<UUID, List<LlmSpan>> spans = new LinkedHashMap<>();
                ids.forEach(id -> spans.put(id, new ArrayList<>()));
                String[] texts = ids.stream().map(UUID::toString).toArray(String[]::new);
                try (PreparedStatement ps = c.prepareStatement(SELECT.replace("SELECT t.external_id,",
                        "SELECT s.trace_id, t.external_id,") + " WHERE s.trace_id = ANY (?::uuid[])")) {
                    ps.setArray(1, c.createArrayOf("text", texts));
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            spans.get(rs.getObject(1, UUID.class)).add(span(rs, 2));
                        }
                    }
                }
                List<TraceSummary> out = new ArrayList<>(ids.size());
                for (UUID id : ids) {
                    List<LlmSpan> of = spans.get(id);
                    String external = of.isEmpty() ? id.toString() : of.get(0).traceId();
                    out.add(new TraceSummary(external, id, started.get(id), SpanTotals.of(of)));
                }
                Optional<TraceCursor> next = more ? Optional.of(out.get(out.size() - 1).cursor()) : Optional.empty();
                return new TracePage(out, next);
            } catch (SQLException e) {
                throw SqlErrors.translate("listing traces", e);
            }
        });
    }

    private List<LlmSpan> spans(String what, String sql, Object... binds) {
        return retry.call("reading " + what, () -> {
            try (Connection c = dataSource.getConnection(); PreparedStatement ps = prepare(c, sql, binds);
                 ResultSet rs = ps.executeQuery()) {
                List<LlmSpan> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(span(rs, 1));
                }
                return out;
            } catch (SQLException e) {
                throw SqlErrors.translate("reading " + what, e);
            }
        });
    }

    private static PreparedStatement prepare(Connection c, String sql, Object... binds) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        for (int i = 0; i < binds.length; i++) {
            ps.setObject(i + 1, binds[i]);
        }
        return ps;
    }

    /** The span of the row's columns from {@code first} on, in {@link #SELECT}'s order. */
    private static LlmSpan span(ResultSet rs, int first) throws SQLException {
        int i = first;
        LlmSpan.Builder b = LlmSpan.builder()
                .traceId(rs.getString(i++))
                .spanId(rs.getString(i++))
                .parentSpanId(rs.getString(i++))
                .name(rs.getString(i++))
                .operation(rs.getString(i++))
                .provider(rs.getString(i++))
                .requestModel(rs.getString(i++))
                .responseModel(rs.getString(i++))
                .responseId(rs.getString(i++))
                .input(rs.getString(i++))
                .output(rs.getString(i++));
        String reasons = rs.getString(i++);
        b.finishReasons(reasons == null ? List.of() : read(reasons, new TypeReference<List<String>>() { }));
        long in = rs.getLong(i++);
        boolean hasUsage = !rs.wasNull();
        long out = rs.getLong(i++);
        long cacheRead = rs.getLong(i++);
        long cacheWrite = rs.getLong(i++);
        long reasoning = rs.getLong(i++);
        if (hasUsage) {
            b.usage(TokenUsage.builder().inputTokens(in).outputTokens(out).cacheReadTokens(cacheRead)
                    .cacheWriteTokens(cacheWrite).outputReasoningTokens(reasoning).build());
        }
        b.cost(rs.getBigDecimal(i++), rs.getString(i++));
        b.startTime(rs.getObject(i++, OffsetDateTime.class).toInstant());
        b.endTime(rs.getObject(i++, OffsetDateTime.class).toInstant());
        String status = rs.getString(i++);
        b.status("error".equals(status) ? LlmSpan.Status.ERROR : LlmSpan.Status.OK, rs.getString(i++));
        String attributes = rs.getString(i++);
        if (attributes != null) {
            b.extraAttributes(read(attributes, new TypeReference<LinkedHashMap<String, String>>() { }));
        }
        b.conversationId(rs.getString(i++));
        b.userId(rs.getString(i));
        return b.build();
    }

    private static <T> T read(String json, TypeReference<T> type) {
        try {
            return JSON.readValue(json, type);
        } catch (IOException e) {
            throw new IllegalStateException("a stored span holds JSON that does not read back: " + e.getMessage(), e);
        }
    }

    private static OffsetDateTime time(Instant t) {
        return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
    }

    private static void requireId(String field, String value) {
        if (value == null || value.isBlank() || value.length() > LlmSpan.MAX_NAME_CHARS) {
            throw new IllegalArgumentException(field + " must be 1.." + LlmSpan.MAX_NAME_CHARS
                    + " characters, not blank, was " + (value == null ? "null" : value.length() + " characters"));
        }
    }

    private static void requireWindow(Instant from, Instant to) {
        java.util.Objects.requireNonNull(from, "from");
        java.util.Objects.requireNonNull(to, "to");
        if (!to.isAfter(from)) {
            throw new IllegalArgumentException("to must be after from (" + from + "), was " + to);
        }
    }

    private static void requireLimit(int limit, int max) {
        if (limit < 1 || limit > max) {
            throw new IllegalArgumentException("limit must be 1.." + max + ", was " + limit);
        }
    }
}
