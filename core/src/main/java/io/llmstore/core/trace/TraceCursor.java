package io.llmstore.core.trace;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * Where the next {@link TracePage} starts: after the trace that started at {@code started} with UUID {@code id}
 * (keyset pagination: stable while traces are added, no offset scanned). {@link #toString()} and {@link #parse}
 * give it a text form to hand to a client.
 *
 * @param started the last trace's start
 * @param id      the last trace's UUID
 */
public record TraceCursor(Instant started, UUID id) {
    public TraceCursor {
        Objects.requireNonNull(started, "started");
        Objects.requireNonNull(id, "id");
    }

    /** A cursor's text form, as {@link #toString()} gives it: {@code <ISO instant>/<uuid>}. */
    public static TraceCursor parse(String text) {
        Objects.requireNonNull(text, "text");
        int slash = text.lastIndexOf('/');
        try {
            return new TraceCursor(Instant.parse(text.substring(0, slash)), UUID.fromString(text.substring(slash + 1)));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("cursor must be <ISO instant>/<uuid> as TraceCursor.toString() gives it, was \""
                    + text + "\"");
        }
    }

    @Override
    public String toString() {
        return started + "/" + id;
    }
}
