package io.llmstore.redis;

import io.lettuce.core.ScriptOutputType;
import io.llmstore.core.error.StorageException;
import io.llmstore.core.ratelimit.Decision;
import io.llmstore.core.ratelimit.RateLimit;
import io.llmstore.core.ratelimit.RateLimitPolicy;
import io.llmstore.core.ratelimit.RateLimiter;
import io.llmstore.core.ratelimit.RateLimiters;
import io.llmstore.core.ratelimit.Reservation;
import io.llmstore.core.stats.RateLimiterStats;
import io.llmstore.redis.internal.LuaScript;
import io.llmstore.redis.internal.RedisConnector;
import io.llmstore.redis.internal.RedisErrors;
import io.llmstore.redis.internal.RedisKeys;
import io.llmstore.redis.internal.WarnGate;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rate limiters decided in Redis, exact across any number of application instances: {@code pool.limits()}.
 *
 * <p>Each decision is ONE {@code EVALSHA} of {@code rate_limit.lua}: every limit of the policy is read, decided
 * and (only if all allow) charged atomically on the server, with the server's clock ({@code TIME}). No client-side
 * compare-and-set loop, so a hot key costs one round trip per call, however contended. The most common policy, one
 * fixed-window limit, runs the leaner {@code rate_limit_fw.lua} instead (same decision, no {@code GET}: the key's
 * expiry is the window; {@code TIME} only for the caller's deadline). Keys:
 * {@code <REDIS_KEY_PREFIX>ratelimit:{<key>}:<limit name>} (token buckets add {@code :tb}); the {hash tag} keeps one
 * entity's limits in one Redis Cluster slot. Needs Redis 7.0+ ({@code PEXPIRETIME}).
 *
 * <p>Every call carries the instant its caller gives up, on Redis's clock; a script that runs later (queued on a
 * server that hung, then resumed) charges nothing, so a decision the caller was told Redis did not make is never
 * charged. A call for more permits than a limit allows in a whole window is denied without Redis
 * ({@link Decision#exceedsLimit()}).
 *
 * <p>When Redis fails or exceeds {@code REDIS_COMMAND_TIMEOUT}, the policy's
 * {@link io.llmstore.core.ratelimit.FailurePolicy} decides, the decision says {@code backendUnavailable}, an error is
 * counted and a WARN logged at most every 10 seconds. Thread-safe; the backend owns the connection.
 */
public final class RedisRateLimiters implements RateLimiters {
    private static final Logger log = LoggerFactory.getLogger(RedisRateLimiters.class);
    /** The wait a fail-closed denial suggests: long enough not to hammer a recovering server. */
    static final Duration FAIL_CLOSED_RETRY_AFTER = Duration.ofSeconds(1);

    private final RedisConnector connector;
    private final LuaScript acquire;
    private final LuaScript acquireFixedWindow;
    private final LuaScript settle;
    private final String prefix;
    private final Duration commandTimeout;
    private final LongAdder errors = new LongAdder();
    private final LongAdder settlementErrors = new LongAdder();
    private final WarnGate warnGate = new WarnGate(Duration.ofSeconds(10));

    RedisRateLimiters(RedisConnector connector, LuaScript acquire, LuaScript acquireFixedWindow, LuaScript settle,
                      String prefix, Duration commandTimeout) {
        this.connector = connector;
        this.acquire = acquire;
        this.acquireFixedWindow = acquireFixedWindow;
        this.settle = settle;
        this.prefix = prefix;
        this.commandTimeout = commandTimeout;
    }

    /** The script's deadline argument: when this client gives up on a decision sent now (see the scripts). */
    private byte[] deadline() {
        return ascii(Long.toString(connector.serverDeadlineMillis(commandTimeout)));
    }

    /**
     * A script's reply for a call that ran after its caller's deadline: nothing was charged. Seen with the reply in
     * hand (so Redis did answer in time), it means the server's clock moved against ours: measure it again.
     */
    private boolean expired(List<Object> reply) {
        if (((Long) reply.get(0)) != -1L) {
            return false;
        }
        errors.increment();
        connector.recalibrateClock();
        return true;
    }

    @Override
    public RateLimiter limiter(RateLimitPolicy policy) {
        return new RedisRateLimiter(Objects.requireNonNull(policy, "policy"));
    }

    /** Decisions and settlements that failed because Redis could not answer, since creation. */
    public long errors() {
        return errors.sum();
    }

    /** The counters for {@code pool.stats().rateLimiters()}: failed decisions and failed settlements/releases. */
    public RateLimiterStats stats() {
        long settlements = settlementErrors.sum();
        return new RateLimiterStats(errors.sum() - settlements, settlements);
    }

    @Override
    public String toString() {
        return "RedisRateLimiters{prefix='" + prefix + "'}";
    }

    private void warn(String operation, StorageException e, RateLimitPolicy policy) {
        errors.increment();
        long suppressed = warnGate.tryPass();
        if (suppressed >= 0) {
            log.warn("Rate limiter {} ({}; {} more since the last warning): {}", operation,
                    policy.onBackendFailure(), suppressed, e.getMessage());
        }
    }

    private final class RedisRateLimiter implements RateLimiter {
        private final RateLimitPolicy policy;
        private final List<RateLimit> limits;
        private final byte[][] algorithmArgs;
        private final byte[][] limitArgs;
        private final byte[][] windowArgs;
        /** Each limit's cost of a one-permit call, encoded once: the common call builds no number strings. */
        private final byte[][] costOfOneArgs;
        /** One fixed-window limit: decided by the lean script. */
        private final boolean singleFixedWindow;

        RedisRateLimiter(RateLimitPolicy policy) {
            this.policy = policy;
            this.limits = policy.limits();
            int n = limits.size();
            algorithmArgs = new byte[n][];
            limitArgs = new byte[n][];
            windowArgs = new byte[n][];
            costOfOneArgs = new byte[n][];
            for (int i = 0; i < n; i++) {
                RateLimit l = limits.get(i);
                algorithmArgs[i] = ascii(l.algorithm() == RateLimit.Algorithm.FIXED_WINDOW ? "fw" : "tb");
                limitArgs[i] = ascii(Long.toString(l.limit()));
                windowArgs[i] = ascii(Long.toString(l.windowMillis()));
                costOfOneArgs[i] = ascii(Long.toString(l.cost(1)));
            }
            singleFixedWindow = n == 1 && limits.get(0).algorithm() == RateLimit.Algorithm.FIXED_WINDOW;
        }

        @Override
        public RateLimitPolicy policy() {
            return policy;
        }

        @Override
        public Decision tryAcquire(String key, long permits) {
            if (singleFixedWindow) {
                policy.checkCall(key, permits);
                Optional<Decision> never = policy.exceedingLimit(permits);
                if (never.isPresent()) {
                    return never.get(); // decided without Redis: it could never be granted
                }
                List<Object> reply = runFixedWindow(key, permits, false);
                return reply == null ? failed() : fixedWindowDecision(reply, permits);
            }
            return reserve(key, permits).decision();
        }

        @Override
        public Reservation reserve(String key, long permits) {
            policy.checkCall(key, permits);
            Optional<Decision> never = policy.exceedingLimit(permits);
            if (never.isPresent()) {
                return new Reservation(key, permits, never.get(), List.of());
            }
            if (singleFixedWindow) {
                List<Object> reply = runFixedWindow(key, permits, true);
                if (reply == null) {
                    return new Reservation(key, permits, failed(), List.of());
                }
                Decision decision = fixedWindowDecision(reply, permits);
                return new Reservation(key, permits, decision, List.of(decision.allowed() ? (Long) reply.get(2) : 0L));
            }
            int n = limits.size();
            byte[][] args = new byte[n * 4 + 1][];
            for (int i = 0; i < n; i++) {
                args[i * 4] = algorithmArgs[i];
                args[i * 4 + 1] = limitArgs[i];
                args[i * 4 + 2] = windowArgs[i];
                args[i * 4 + 3] = permits == 1 ? costOfOneArgs[i] : ascii(Long.toString(limits.get(i).cost(permits)));
            }
            List<Object> reply;
            try {
                args[n * 4] = deadline();
                reply = acquire.run(connector.connection().sync(), ScriptOutputType.MULTI, keys(key), args);
            } catch (RuntimeException e) {
                warn("decided by policy", RedisErrors.translate("rate limit decision", e), policy);
                return new Reservation(key, permits, failed(), List.of());
            }
            if (expired(reply)) {
                return new Reservation(key, permits, failed(), List.of());
            }
            boolean allowed = ((Long) reply.get(0)) == 1L;
            Decision decision = null;
            List<Long> windows = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                boolean ok = ((Long) reply.get(1 + i * 5)) == 1L;
                long remaining = (Long) reply.get(2 + i * 5);
                long retryMs = (Long) reply.get(3 + i * 5);
                windows.add((Long) reply.get(4 + i * 5));
                Duration reset = Duration.ofMillis((Long) reply.get(5 + i * 5));
                String name = limits.get(i).name();
                if (allowed) {
                    if (decision == null || remaining < decision.remaining()) {
                        decision = Decision.allowed(name, remaining, reset);
                    }
                } else if (!ok && (decision == null || retryMs > decision.retryAfter().toMillis())) {
                    decision = Decision.denied(name, remaining, Duration.ofMillis(retryMs), reset);
                }
            }
            return new Reservation(key, permits, decision, windows);
        }

        /**
         * rate_limit_fw.lua's reply {allowed, count before, retry-after ms | window id | 0}, or null when Redis failed
         * or ran the script after this client had given up (then it charged nothing).
         */
        private List<Object> runFixedWindow(String key, long permits, boolean windowId) {
            RateLimit l = limits.get(0);
            byte[] cost = permits == 1 ? costOfOneArgs[0] : ascii(Long.toString(l.cost(permits)));
            try {
                List<Object> reply = acquireFixedWindow.run(connector.connection().sync(), ScriptOutputType.MULTI,
                        new byte[][] {RedisKeys.bytes(RedisKeys.rateLimit(prefix, key, l.name(), false))},
                        limitArgs[0], windowArgs[0], cost, windowId ? ONE : ZERO, deadline());
                return expired(reply) ? null : reply;
            } catch (RuntimeException e) {
                warn("decided by policy", RedisErrors.translate("rate limit decision", e), policy);
                return null;
            }
        }

        private Decision fixedWindowDecision(List<Object> reply, long permits) {
            RateLimit l = limits.get(0);
            long before = (Long) reply.get(1);
            Duration reset = Duration.ofMillis(Math.max(0, (Long) reply.get(3)));
            if (((Long) reply.get(0)) == 1L) {
                return Decision.allowed(l.name(), l.limit() - before - l.cost(permits), reset);
            }
            return Decision.denied(l.name(), Math.max(0, l.limit() - before), Duration.ofMillis((Long) reply.get(2)),
                    reset);
        }

        private Decision failed() {
            return Decision.onBackendFailure(policy.onBackendFailure(), limits.get(0).name(), FAIL_CLOSED_RETRY_AFTER);
        }

        @Override
        public void settle(Reservation reservation, long actualPermits) {
            Objects.requireNonNull(reservation, "reservation");
            if (actualPermits < 0) {
                throw new IllegalArgumentException("actualPermits must be >= 0, was " + actualPermits);
            }
            long delta = actualPermits - reservation.permits();
            long[] deltas = new long[limits.size()];
            for (int i = 0; i < deltas.length; i++) {
                deltas[i] = limits.get(i).charge() == RateLimit.Charge.ONE_PER_CALL ? 0 : delta;
            }
            apply(reservation, deltas, "settlement");
        }

        @Override
        public void release(Reservation reservation) {
            Objects.requireNonNull(reservation, "reservation");
            long[] deltas = new long[limits.size()];
            for (int i = 0; i < deltas.length; i++) {
                deltas[i] = -limits.get(i).cost(reservation.permits());
            }
            apply(reservation, deltas, "release");
        }

        /** One EVALSHA of rate_limit_settle.lua: each limit charged (delta > 0) or refunded into its window. */
        private void apply(Reservation reservation, long[] deltas, String what) {
            if (!reservation.isGranted() || reservation.decision().backendUnavailable()) {
                return; // nothing was charged in Redis
            }
            boolean any = false;
            for (long d : deltas) {
                any |= d != 0;
            }
            if (!any) {
                return;
            }
            int n = limits.size();
            byte[][] args = new byte[n * 5][];
            for (int i = 0; i < n; i++) {
                args[i * 5] = algorithmArgs[i];
                args[i * 5 + 1] = limitArgs[i];
                args[i * 5 + 2] = windowArgs[i];
                args[i * 5 + 3] = ascii(Long.toString(deltas[i]));
                args[i * 5 + 4] = ascii(Long.toString(reservation.windows().get(i)));
            }
            try {
                settle.run(connector.connection().sync(), ScriptOutputType.INTEGER, keys(reservation.key()), args);
            } catch (RuntimeException e) {
                // The call being settled has happened; failing it now would help no one.
                settlementErrors.increment();
                warn(what + " dropped", RedisErrors.translate("rate limit " + what, e), policy);
            }
        }

        private byte[][] keys(String key) {
            byte[][] keys = new byte[limits.size()][];
            for (int i = 0; i < keys.length; i++) {
                RateLimit l = limits.get(i);
                keys[i] = RedisKeys.bytes(RedisKeys.rateLimit(prefix, key, l.name(),
                        l.algorithm() == RateLimit.Algorithm.TOKEN_BUCKET));
            }
            return keys;
        }

        @Override
        public String toString() {
            return "RedisRateLimiter" + limits;
        }
    }

    private static final byte[] ONE = ascii("1");
    private static final byte[] ZERO = ascii("0");

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
