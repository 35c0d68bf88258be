package io.llmstore.redis.internal;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.llmstore.core.error.ConnectionException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one shared connection to Redis (Lettuce connections are thread-safe and pipeline concurrent commands). When
 * Redis was unreachable at start-up, every use tries to connect again, at most once per {@code reconnectInterval}, so
 * callers fail fast (and fail open) in between; once connected, Lettuce reconnects by itself after a drop and
 * rejects commands while disconnected. Thread-safe.
 */
public final class RedisConnector implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedisConnector.class);

    private final RedisClient client;
    /** The server to connect to; null for the client's own default URI. */
    private final RedisURI uri;
    /** Set on each connection this connector opens; null to keep the client's. */
    private final Duration commandTimeout;
    private final String display;
    private final Duration reconnectInterval;
    private final List<Consumer<StatefulRedisConnection<byte[], byte[]>>> onConnect;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile StatefulRedisConnection<byte[], byte[]> connection;
    private volatile long nextAttemptNanos;
    private volatile String lastFailure = "not connected yet";
    /**
     * Redis's clock (epoch ms) minus our monotonic clock (nanoTime in ms), measured with TIME halfway through the
     * round trip, on connect and whenever a script says the deadline had passed although Redis answered in time.
     * Monotonic on our side, so a step of this host's wall clock does not move deadlines.
     */
    private volatile long serverClockOffsetMillis = System.currentTimeMillis() - System.nanoTime() / 1_000_000;

    /**
     * @param client    the client (owned by the caller)
     * @param display   the server for messages, password masked
     * @param onConnect runs on each new connection (loading scripts), before it is handed out
     */
    public RedisConnector(RedisClient client, String display, Duration reconnectInterval,
                          List<Consumer<StatefulRedisConnection<byte[], byte[]>>> onConnect) {
        this(client, null, null, display, reconnectInterval, onConnect);
    }

    /**
     * A connector over a client the application may own (it is never shut down here).
     *
     * @param uri            the server, or null for the client's own default URI
     * @param commandTimeout set on each connection opened here (the client's options stay as the application set
     *                       them), or null to keep the client's
     */
    public RedisConnector(RedisClient client, RedisURI uri, Duration commandTimeout, String display,
                          Duration reconnectInterval, List<Consumer<StatefulRedisConnection<byte[], byte[]>>> onConnect) {
        this.client = client;
        this.uri = uri;
        this.commandTimeout = commandTimeout;
        this.display = display;
        this.reconnectInterval = reconnectInterval;
        this.onConnect = List.copyOf(onConnect);
    }

    /** Connects now (used at start-up inside the retry policy); throws what Lettuce throws. */
    public synchronized StatefulRedisConnection<byte[], byte[]> connectNow() {
        if (connection != null) {
            return connection;
        }
        StatefulRedisConnection<byte[], byte[]> c = uri == null ? client.connect(ByteArrayCodec.INSTANCE)
                : client.connect(ByteArrayCodec.INSTANCE, uri);
        try {
            if (commandTimeout != null) {
                c.setTimeout(commandTimeout);
            }
            measureClockOffset(c);
            onConnect.forEach(hook -> hook.accept(c));
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
        connection = c;
        return c;
    }

    private void measureClockOffset(StatefulRedisConnection<byte[], byte[]> c) {
        long before = System.nanoTime() / 1_000_000;
        List<byte[]> time = c.sync().time();
        long after = System.nanoTime() / 1_000_000;
        long serverMillis = Long.parseLong(new String(time.get(0), StandardCharsets.US_ASCII)) * 1000
                + Long.parseLong(new String(time.get(1), StandardCharsets.US_ASCII)) / 1000;
        serverClockOffsetMillis = serverMillis - (before + after) / 2;
    }

    /**
     * Measures the clock offset again (one TIME); call when a script reports a passed deadline although Redis
     * answered within the timeout, i.e. the server's clock moved. A failure keeps the old offset.
     */
    public void recalibrateClock() {
        try {
            measureClockOffset(connection());
        } catch (RuntimeException e) {
            log.debug("could not re-measure the Redis clock offset: {}", e.toString());
        }
    }

    /**
     * The instant, on Redis's clock (epoch ms), at which a command sent now with {@code timeout} is given up by this
     * client. Scripts compare it with {@code TIME} so that work the caller was told did not happen (a timeout) does
     * not happen later, when a hung server resumes; accurate to about half a round trip of the last measurement.
     */
    public long serverDeadlineMillis(Duration timeout) {
        return System.nanoTime() / 1_000_000 + serverClockOffsetMillis + timeout.toMillis();
    }

    /** Remembers a failed start-up connection, so the next attempt waits {@code reconnectInterval}. */
    public void markUnavailable(String why) {
        lastFailure = why;
        nextAttemptNanos = System.nanoTime() + reconnectInterval.toNanos();
    }

    /**
     * The connection, connecting first if there is none and the last attempt is older than the interval.
     *
     * @throws ConnectionException when there is no connection (now)
     */
    public StatefulRedisConnection<byte[], byte[]> connection() {
        StatefulRedisConnection<byte[], byte[]> c = connection;
        if (c != null) {
            return c;
        }
        if (closed.get()) {
            throw new ConnectionException("Redis client for " + display + " is closed");
        }
        if (System.nanoTime() - nextAttemptNanos < 0) {
            throw new ConnectionException("Redis at " + display + " is unavailable: " + lastFailure);
        }
        synchronized (this) {
            if (connection != null) {
                return connection;
            }
            try {
                connectNow();
                log.info("Redis at {} is reachable again", display);
                return connection;
            } catch (RuntimeException e) {
                markUnavailable(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
                throw new ConnectionException("Redis at " + display + " is unavailable: " + lastFailure, e);
            }
        }
    }

    /** True when a connection exists and Lettuce reports it open. */
    public boolean isConnected() {
        StatefulRedisConnection<byte[], byte[]> c = connection;
        return c != null && c.isOpen();
    }

    /** Closes the connection (not the client). Idempotent. */
    @Override
    public synchronized void close() {
        if (closed.compareAndSet(false, true) && connection != null) {
            connection.close();
        }
    }
}
