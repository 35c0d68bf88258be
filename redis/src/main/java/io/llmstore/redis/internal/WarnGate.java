package io.llmstore.redis.internal;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Lets one WARN through per interval, so a Redis outage under load logs a line every few seconds, not thousands.
 * Thread-safe; time from {@link System#nanoTime()} (a log gate, not a business rule).
 */
public final class WarnGate {
    private final long intervalNanos;
    private final AtomicLong next = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong suppressed = new AtomicLong();

    public WarnGate(java.time.Duration interval) {
        this.intervalNanos = interval.toNanos();
    }

    /** -1 when this event must not be logged; else how many events were suppressed since the last one logged. */
    public long tryPass() {
        long now = System.nanoTime();
        long due = next.get();
        if ((due == Long.MIN_VALUE || now - due >= 0) && next.compareAndSet(due, now + intervalNanos)) {
            return suppressed.getAndSet(0);
        }
        suppressed.incrementAndGet();
        return -1;
    }
}
