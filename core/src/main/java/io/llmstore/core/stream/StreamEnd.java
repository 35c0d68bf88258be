package io.llmstore.core.stream;

/**
 * How a recorded stream ended. Every value but {@link #COMPLETED} is an aborted stream: its row's output tokens are
 * estimated from what was streamed ({@code usage_source = estimated}) and its {@code finish_reason} is
 * {@link #value()}.
 */
public enum StreamEnd {
    /** The provider finished: its end event or its final usage arrived (the row carries the provider's reason). */
    COMPLETED("completed"),
    /** The application said the upstream ended ({@link RecordedStream#complete()}) before the provider's end event. */
    INCOMPLETE("incomplete"),
    /** The application cancelled it, e.g. the client disconnected ({@link RecordedStream#cancel()}). */
    CANCELLED("cancelled"),
    /** No chunk arrived within the recorder's idle timeout (the consumer stopped reading, a stalled upstream). */
    TIMEOUT("timeout"),
    /** The stream failed ({@link RecordedStream#fail(Throwable)}) or the provider sent an error event. */
    ERROR("error"),
    /** Closed before the provider finished ({@link RecordedStream#close()} without an end). */
    CLOSED_EARLY("closed_early"),
    /** Still open when the recorder closed or the JVM shut down. */
    SHUTDOWN("shutdown");

    private final String value;

    StreamEnd(String value) {
        this.value = value;
    }

    /** The text stored as the row's finish reason for an aborted stream. */
    public String value() {
        return value;
    }
}
