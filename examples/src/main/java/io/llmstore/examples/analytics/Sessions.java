package io.llmstore.examples.analytics;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.session.SessionStore;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Map;

/** How do I keep a conversation's state between requests, and end it? */
public final class Sessions {
    private Sessions() {
    }

    /** Runs the example with {@code REDIS_URL} from the environment (without it: in-process sessions). */
    public static void main(String[] args) {
        run(StorageConfig.fromEnv(), System.out);
    }

    /** Logs two users in, serves a request for one and logs the other out; alice's session stays for 30 minutes. */
    public static void run(StorageConfig config, PrintStream out) {
        try (StoragePool pool = StoragePool.create(config)) {
            SessionStore sessions = pool.sessions();
            Duration idle = Duration.ofMinutes(30);

            sessions.create("sess-alice", Map.of("user", "alice", "model", "gpt-4o", "turns", 1), idle); // login
            sessions.create("sess-bob", Map.of("user", "bob", "model", "claude-haiku-4-5", "turns", 4), idle);

            Map<String, Object> alice = sessions.get("sess-alice").orElseThrow(); // next request
            out.println("alice's session: " + alice);
            out.println("alice touched: " + sessions.touch("sess-alice", idle)); // another 30 minutes from now

            out.println("bob logged out: " + sessions.delete("sess-bob"));
            out.println("bob's session now: " + sessions.get("sess-bob"));
        }
    }
}
