package io.llmstore.core.price.internal;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A model's prices over time: one unconditional table, or the dataset's list of conditional
 * tables. Like the reference, the list is searched from the last entry backwards and the first
 * whose constraint holds wins (no constraint always holds; {@code start_date} holds from that
 * UTC midnight on; {@code time_of_date} holds between two UTC times of day, end exclusive,
 * wrapping past midnight); if none holds, the first entry applies.
 */
public final class PriceSchedule {

    /** A constraint on when a price table applies. */
    public sealed interface Constraint {
        boolean holdsAt(Instant at);
    }

    /** Applies from {@code start} on. */
    public record StartDate(Instant start) implements Constraint {
        @Override
        public boolean holdsAt(Instant at) {
            return !at.isBefore(start);
        }
    }

    /** Applies between two times of day, in seconds after UTC midnight, end exclusive. */
    public record TimeOfDay(double startSecond, double endSecond) implements Constraint {
        @Override
        public boolean holdsAt(Instant at) {
            long ms = Math.floorMod(at.toEpochMilli(), 86_400_000L);
            double s = ms / 1000.0;
            if (endSecond < startSecond) {
                return s >= startSecond || s < endSecond;
            }
            return s >= startSecond && s < endSecond;
        }
    }

    /** One table and its constraint (null: always). */
    public record Entry(Constraint constraint, PriceTable table) {
    }

    private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
    private static final Pattern TIME = Pattern.compile(
            "(\\d{2}):(\\d{2}):(\\d{2})(?:\\.(\\d+))?(Z|([+-])(\\d{2}):(\\d{2}))");

    private final List<Entry> entries;

    public PriceSchedule(List<Entry> entries) {
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("a price schedule needs at least one price table");
        }
        this.entries = List.copyOf(entries);
    }

    public List<Entry> entries() {
        return entries;
    }

    /** The table in force at {@code at}. */
    public PriceTable at(Instant at) {
        for (int i = entries.size() - 1; i >= 0; i--) {
            Entry e = entries.get(i);
            if (e.constraint() == null || e.constraint().holdsAt(at)) {
                return e.table();
            }
        }
        return entries.get(0).table();
    }

    /** Parses a {@code start_date} value: exactly {@code YYYY-MM-DD}, UTC midnight. */
    public static StartDate startDate(String date) {
        if (date == null || !DATE.matcher(date).matches()) {
            throw new IllegalArgumentException("start_date must be YYYY-MM-DD, was " + date);
        }
        return new StartDate(LocalDate.parse(date).atStartOfDay(ZoneOffset.UTC).toInstant());
    }

    /** Parses a {@code time_of_date} pair such as {@code 00:30:00Z} to {@code 16:30:00Z}. */
    public static TimeOfDay timeOfDay(String start, String end) {
        return new TimeOfDay(secondOfDay(start), secondOfDay(end));
    }

    // Mirrors the reference: seconds after UTC midnight, offset applied, wrapped into [0, 86400).
    static double secondOfDay(String s) {
        Matcher m = s == null ? null : TIME.matcher(s);
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException("time_of_date must be HH:MM:SS[.fff](Z|+HH:MM), was " + s);
        }
        int h = Integer.parseInt(m.group(1));
        int min = Integer.parseInt(m.group(2));
        int sec = Integer.parseInt(m.group(3));
        int oh = m.group(7) == null ? 0 : Integer.parseInt(m.group(7));
        int om = m.group(8) == null ? 0 : Integer.parseInt(m.group(8));
        if (h > 23 || min > 59 || sec > 59 || oh > 23 || om > 59) {
            throw new IllegalArgumentException("time_of_date out of range: " + s);
        }
        double local = h * 3600 + min * 60 + sec + (m.group(4) == null ? 0 : Double.parseDouble("0." + m.group(4)));
        int offset = (oh * 60 + om) * 60;
        double z = "Z".equals(m.group(5)) ? 0 : "+".equals(m.group(6)) ? offset : -offset;
        return ((local - z + 86400) % 86400);
    }
}
