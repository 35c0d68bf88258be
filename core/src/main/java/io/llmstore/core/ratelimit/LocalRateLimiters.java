package io.llmstore.core.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * In-process rate limiters, LOCAL TO ONE JVM: each application instance counts on its own, so N instances admit up
 * to N times the limit. Used when Redis is not configured; use Redis for limits that must hold across instances.
 *
 * <p>Same algorithms and arithmetic as the Redis limiters (exact integer GCRA, fixed windows starting at the first
 * permit), with time from the injected {@link Clock}. As in Redis, a counter is identified by key and limit name, so
 * limiters created here with the same limit name share it. Each key's state lives in a Caffeine cache, evicted after
 * it has been idle for its longest window. Thread-safe: the limits of one key are decided under that key's lock.
 */
public final class LocalRateLimiters implements RateLimiters {
    private final Clock clock;
    private final Cache<String, KeyState> states;

    /** @param clock time source for windows and refill */
    public LocalRateLimiters(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        // A key's state is dropped once idle for its longest window: by then every window has ended.
        this.states = Caffeine.newBuilder()
                .ticker(() -> Duration.ofMillis(clock.millis()).toNanos())
                .expireAfter(new Expiry<String, KeyState>() {
                    @Override
                    public long expireAfterCreate(String key, KeyState state, long currentTime) {
                        return state.idleNanos;
                    }

                    @Override
                    public long expireAfterUpdate(String key, KeyState state, long currentTime, long currentDuration) {
                        return state.idleNanos;
                    }

                    @Override
                    public long expireAfterRead(String key, KeyState state, long currentTime, long currentDuration) {
                        return state.idleNanos;
                    }
                })
                .build();
    }

    @Override
    public RateLimiter limiter(RateLimitPolicy policy) {
        return new LocalRateLimiter(Objects.requireNonNull(policy, "policy"), clock, states);
    }

    @Override
    public String toString() {
        return "LocalRateLimiters{local to this JVM}";
    }

    /**
     * One key's counters, by limit name (the name identifies the counter, as in Redis): a fixed window's count and
     * end, or a GCRA TAT as milliseconds + fraction. Guarded by itself.
     */
    private static final class KeyState {
        final Map<String, long[]> counters = new HashMap<>();
        volatile long idleNanos;

        long[] counter(String name) {
            return counters.computeIfAbsent(name, n -> new long[2]);
        }
    }

    private static final class LocalRateLimiter implements RateLimiter {
        private final RateLimitPolicy policy;
        private final Clock clock;
        private final Cache<String, KeyState> states;
        private final long longestWindowNanos;

        LocalRateLimiter(RateLimitPolicy policy, Clock clock, Cache<String, KeyState> states) {
            this.policy = policy;
            this.clock = clock;
            this.states = states;
            this.longestWindowNanos = Duration.ofMillis(
                    policy.limits().stream().mapToLong(RateLimit::windowMillis).max().orElseThrow()).toNanos();
        }

        private KeyState state(String key) {
            KeyState state = states.get(key, k -> {
                KeyState s = new KeyState();
                s.idleNanos = longestWindowNanos;
                return s;
            });
            if (state.idleNanos < longestWindowNanos) {
                state.idleNanos = longestWindowNanos;
            }
            return state;
        }

        @Override
        public RateLimitPolicy policy() {
            return policy;
        }

        @Override
        public Decision tryAcquire(String key, long permits) {
            return reserve(key, permits).decision();
        }

        @Override
        public Reservation reserve(String key, long permits) {
            policy.checkCall(key, permits);
            Optional<Decision> never = policy.exceedingLimit(permits);
            if (never.isPresent()) {
                return new Reservation(key, permits, never.get(), List.of());
            }
            List<RateLimit> limits = policy.limits();
            KeyState state = state(key);
            synchronized (state) {
                long now = clock.millis();
                Decision decision = null;
                Decision tightest = null;
                long[] remaining = new long[limits.size()];
                // Phase 1: decide every limit without changing anything (all or nothing).
                for (int i = 0; i < limits.size(); i++) {
                    RateLimit limit = limits.get(i);
                    long[] c = state.counter(limit.name());
                    long cost = limit.cost(permits);
                    long l = limit.limit();
                    long w = limit.windowMillis();
                    long rem;
                    long retry = -1;
                    long reset; // when this limit is whole again: the window's end, or the bucket's TAT
                    if (limit.algorithm() == RateLimit.Algorithm.FIXED_WINDOW) {
                        long count = c[1] > now ? c[0] : 0;
                        long end = c[1] > now ? c[1] : now + w;
                        reset = end - now;
                        if (count + cost > l) {
                            rem = l - count;
                            retry = end - now;
                        } else {
                            rem = l - count - cost;
                        }
                    } else {
                        long[] tat = tat(c, now);
                        long[] next = Gcra.add(tat[0], tat[1], cost, w, l);
                        long allowAt = next[0] - w + (next[1] > 0 ? 1 : 0);
                        if (now < allowAt) {
                            rem = Gcra.remaining(now, tat[0], tat[1], w, l);
                            retry = allowAt - now;
                            reset = tat[0] - now;
                        } else {
                            rem = Gcra.remaining(now, next[0], next[1], w, l);
                            reset = next[0] - now;
                        }
                    }
                    remaining[i] = rem;
                    if (retry >= 0) {
                        if (decision == null || retry > decision.retryAfter().toMillis()) {
                            decision = Decision.denied(limit.name(), rem, Duration.ofMillis(retry),
                                    Duration.ofMillis(Math.max(0, reset)));
                        }
                    } else if (tightest == null || rem < tightest.remaining()) {
                        tightest = Decision.allowed(limit.name(), rem, Duration.ofMillis(Math.max(0, reset)));
                    }
                }
                List<Long> windows = new ArrayList<>();
                if (decision != null) {
                    return new Reservation(key, permits, decision, windows);
                }
                // Phase 2: every limit allows; charge them all.
                for (int i = 0; i < limits.size(); i++) {
                    RateLimit limit = limits.get(i);
                    long[] c = state.counter(limit.name());
                    long cost = limit.cost(permits);
                    if (limit.algorithm() == RateLimit.Algorithm.FIXED_WINDOW) {
                        if (c[1] <= now) {
                            c[0] = 0;
                            c[1] = now + limit.windowMillis();
                        }
                        c[0] += cost;
                        windows.add(c[1]);
                    } else {
                        long[] tat = tat(c, now);
                        long[] next = Gcra.add(tat[0], tat[1], cost, limit.windowMillis(), limit.limit());
                        c[0] = next[0];
                        c[1] = next[1];
                        windows.add(0L);
                    }
                }
                return new Reservation(key, permits, tightest, windows);
            }
        }

        @Override
        public void settle(Reservation reservation, long actualPermits) {
            Objects.requireNonNull(reservation, "reservation");
            if (actualPermits < 0) {
                throw new IllegalArgumentException("actualPermits must be >= 0, was " + actualPermits);
            }
            List<RateLimit> limits = policy.limits();
            long[] deltas = new long[limits.size()];
            for (int i = 0; i < deltas.length; i++) {
                deltas[i] = limits.get(i).charge() == RateLimit.Charge.ONE_PER_CALL
                        ? 0 : actualPermits - reservation.permits();
            }
            apply(reservation, deltas);
        }

        @Override
        public void release(Reservation reservation) {
            Objects.requireNonNull(reservation, "reservation");
            List<RateLimit> limits = policy.limits();
            long[] deltas = new long[limits.size()];
            for (int i = 0; i < deltas.length; i++) {
                deltas[i] = -limits.get(i).cost(reservation.permits());
            }
            apply(reservation, deltas);
        }

        /** Charges (delta > 0) or refunds (delta < 0, into the charged window only) each limit of a reservation. */
        private void apply(Reservation reservation, long[] deltas) {
            if (!reservation.isGranted() || reservation.decision().backendUnavailable()) {
                return; // nothing was charged
            }
            List<RateLimit> limits = policy.limits();
            KeyState state = state(reservation.key());
            synchronized (state) {
                long now = clock.millis();
                for (int i = 0; i < limits.size(); i++) {
                    RateLimit limit = limits.get(i);
                    long[] c = state.counter(limit.name());
                    long delta = deltas[i];
                    if (delta == 0) {
                        continue;
                    }
                    if (limit.algorithm() == RateLimit.Algorithm.FIXED_WINDOW) {
                        boolean live = c[1] > now;
                        if (delta < 0) {
                            // Refund only into the window that was charged, never into a later one.
                            if (live && c[1] == reservation.windows().get(i)) {
                                c[0] = Math.max(0, c[0] + delta);
                            }
                        } else {
                            if (!live) {
                                c[0] = 0;
                                c[1] = now + limit.windowMillis();
                            }
                            c[0] += delta;
                        }
                    } else {
                        long[] tat = tat(c, now);
                        long[] next = delta > 0
                                ? Gcra.add(tat[0], tat[1], delta, limit.windowMillis(), limit.limit())
                                : Gcra.subtract(tat[0], tat[1], -delta, limit.windowMillis(), limit.limit(), now);
                        c[0] = next[0];
                        c[1] = next[1];
                    }
                }
            }
        }

        /** The theoretical arrival time, never earlier than now. */
        private static long[] tat(long[] c, long now) {
            if (c[0] < now) {
                return new long[] {now, 0};
            }
            return new long[] {c[0], c[1]};
        }

        @Override
        public String toString() {
            return "LocalRateLimiter" + policy.limits() + " (local to this JVM)";
        }
    }

    /**
     * Exact GCRA arithmetic: a time is {@code ms + frac / limit} milliseconds, the emission interval is
     * {@code window / limit}, so no rounding ever lets an extra permit through. Mirrors {@code rate_limit.lua}.
     */
    static final class Gcra {
        private Gcra() {
        }

        static long[] add(long ms, long frac, long n, long window, long limit) {
            long q = Math.multiplyExact(n, window) / limit;
            long r = Math.multiplyExact(n, window) % limit;
            long f = frac + r;
            long m = ms + q;
            if (f >= limit) {
                f -= limit;
                m += 1;
            }
            return new long[] {m, f};
        }

        static long[] subtract(long ms, long frac, long n, long window, long limit, long now) {
            long q = Math.multiplyExact(n, window) / limit;
            long r = Math.multiplyExact(n, window) % limit;
            long f = frac - r;
            long m = ms - q;
            if (f < 0) {
                f += limit;
                m -= 1;
            }
            return m < now ? new long[] {now, 0} : new long[] {m, f};
        }

        /** Permits grantable now: floor(((now + window - tat) * limit - frac) / window). */
        static long remaining(long now, long ms, long frac, long window, long limit) {
            long v = (now + window - ms) * limit - frac;
            return v <= 0 ? 0 : Math.min(limit, v / window);
        }
    }
}
