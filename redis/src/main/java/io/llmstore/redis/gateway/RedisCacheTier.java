package io.llmstore.redis.gateway;

import io.lettuce.core.SetArgs;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.llmstore.core.gateway.SharedCacheTier;
import io.llmstore.redis.internal.RedisConnector;
import io.llmstore.redis.internal.RedisErrors;
import io.llmstore.redis.internal.RedisKeys;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's shared cache tier in Redis: entries at {@code <prefix>gateway:<cache>:<key>} (plain strings with
 * the local tier's TTL), invalidations on the channel {@code <prefix>gateway:invalidations} as {@code <cache> <key>}.
 *
 * <p>An invalidation deletes the entry and publishes; 500 ms later it deletes and publishes once more, so an
 * instance that read the database just before the write and stored the old value in Redis just after the delete
 * (cache-aside's race) is corrected then. Subscribers receive a message within one network hop while their
 * subscription is up, which {@link #invalidationBound()} states as {@code REDIS_COMMAND_TIMEOUT}. A subscription lost
 * and re-established (Lettuce re-subscribes on reconnect) drops every local entry, since messages published meanwhile
 * were missed; while it cannot be opened it is retried every second and local entries live at most their TTL.
 *
 * <p>Thread-safe. Owns its pub/sub connection and its one scheduler thread; {@link #close()} ends both.
 */
public final class RedisCacheTier implements SharedCacheTier, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedisCacheTier.class);
    static final Duration SECOND_INVALIDATION = Duration.ofMillis(500);

    private final RedisConnector connector;
    private final String prefix;
    private final String channel;
    private final Duration bound;
    private final Supplier<StatefulRedisPubSubConnection<String, String>> pubSubOpener;
    private final List<BiConsumer<String, String>> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "llmstore-gateway-invalidations");
        t.setDaemon(true);
        return t;
    });
    private final AtomicInteger subscriptions = new AtomicInteger();
    private volatile StatefulRedisPubSubConnection<String, String> pubSub;
    private volatile boolean closed;

    /**
     * @param pubSubOpener opens a pub/sub connection of the pool's client (standalone or cluster)
     * @param bound        {@code REDIS_COMMAND_TIMEOUT}
     */
    public RedisCacheTier(RedisConnector connector, String prefix, Duration bound,
                          Supplier<StatefulRedisPubSubConnection<String, String>> pubSubOpener) {
        this.connector = connector;
        this.prefix = prefix;
        this.channel = prefix + "gateway:invalidations";
        this.bound = bound;
        this.pubSubOpener = pubSubOpener;
        scheduler.execute(this::subscribeUntilConnected);
    }

    private void subscribeUntilConnected() {
        if (closed || pubSub != null) {
            return;
        }
        try {
            StatefulRedisPubSubConnection<String, String> c = pubSubOpener.get();
            c.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String from, String message) {
                    int space = message.indexOf(' ');
                    if (space > 0) {
                        deliver(message.substring(0, space), message.substring(space + 1));
                    }
                }

                @Override
                public void subscribed(String from, long count) {
                    if (subscriptions.incrementAndGet() > 1) {
                        // Re-subscribed after a reconnect: what was published meanwhile is lost, drop everything.
                        deliver("*", "*");
                    }
                }
            });
            c.sync().subscribe(channel);
            pubSub = c;
            if (closed) {
                c.close(); // close() ran while this was subscribing
            }
        } catch (RuntimeException e) {
            log.debug("gateway invalidation channel not subscribed yet ({}); retrying in 1s", e.toString());
            scheduler.schedule(this::subscribeUntilConnected, 1, TimeUnit.SECONDS);
        }
    }

    private void deliver(String cache, String key) {
        for (BiConsumer<String, String> l : listeners) {
            try {
                if ("*".equals(cache)) {
                    l.accept("api_key", "*");
                    l.accept("model", "*");
                } else {
                    l.accept(cache, key);
                }
            } catch (RuntimeException e) {
                log.warn("gateway invalidation listener failed on {} {}: {}", cache, key, e.toString());
            }
        }
    }

    /** True once the invalidation channel is subscribed. */
    public boolean isSubscribed() {
        return pubSub != null && pubSub.isOpen();
    }

    @Override
    public Optional<String> get(String cache, String key) {
        byte[] value = call("gateway cache read", () -> connector.connection().sync().get(RedisKeys.bytes(key(cache, key))));
        return Optional.ofNullable(value).map(v -> new String(v, StandardCharsets.UTF_8));
    }

    @Override
    public void put(String cache, String key, String json, Duration ttl) {
        call("gateway cache write", () -> connector.connection().sync().set(RedisKeys.bytes(key(cache, key)),
                json.getBytes(StandardCharsets.UTF_8), SetArgs.Builder.px(ttl.toMillis())));
    }

    @Override
    public void invalidate(String cache, String key) {
        deleteAndPublish(cache, key);
        if (!closed) {
            scheduler.schedule(() -> {
                try {
                    deleteAndPublish(cache, key);
                } catch (RuntimeException e) {
                    log.debug("second invalidation of {} {} failed: {}", cache, key, e.toString());
                }
            }, SECOND_INVALIDATION.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void deleteAndPublish(String cache, String key) {
        call("gateway cache invalidation", () -> {
            if (!"*".equals(key)) {
                connector.connection().sync().del(RedisKeys.bytes(key(cache, key)));
            }
            return connector.connection().sync().publish(RedisKeys.bytes(channel),
                    (cache + " " + key).getBytes(StandardCharsets.UTF_8));
        });
    }

    @Override
    public void subscribe(BiConsumer<String, String> listener) {
        listeners.add(listener);
    }

    @Override
    public Duration invalidationBound() {
        return bound;
    }

    private String key(String cache, String key) {
        return prefix + "gateway:" + cache + ":" + key;
    }

    private static <T> T call(String operation, Supplier<T> action) {
        try {
            return action.get();
        } catch (RuntimeException e) {
            throw RedisErrors.translate(operation, e);
        }
    }

    @Override
    public void close() {
        closed = true;
        scheduler.shutdownNow();
        StatefulRedisPubSubConnection<String, String> c = pubSub;
        if (c != null) {
            c.close();
        }
    }
}
