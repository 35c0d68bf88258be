package io.llmstore.core.session;

import io.llmstore.core.ratelimit.MutableClock;
import java.time.Duration;
import java.time.Instant;

/** The in-process session store passes the contract with a clock moved by hand. */
class LocalSessionStoreTest extends SessionStoreContract {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final LocalSessionStore store = new LocalSessionStore(10_000, clock);

    @Override
    protected SessionStore store() {
        return store;
    }

    @Override
    protected void advance(Duration d) {
        clock.advance(d);
    }
}
