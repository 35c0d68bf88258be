package io.llmstore.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;
import io.llmstore.core.StoragePool;
import io.llmstore.core.session.SessionStore;
import io.llmstore.core.session.SessionStoreContract;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Redis session store passes the contract against the real server; one JSON key per session. */
class RedisSessionStoreTest extends SessionStoreContract {
    private static final String PREFIX = RedisTestPools.newPrefix();
    private static StoragePool pool;
    private static RedisClient rawClient;
    private static RedisCommands<String, String> redis;

    @BeforeAll
    static void open() {
        pool = RedisTestPools.pool(PREFIX);
        rawClient = RedisTestPools.rawClient();
        redis = rawClient.connect().sync();
    }

    @AfterAll
    static void close() {
        pool.close();
        rawClient.shutdown();
    }

    @Override
    protected SessionStore store() {
        return pool.sessions();
    }

    @Override
    protected void advance(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aSessionIsOneJsonKeyNamedVerbatimWithItsTtl() {
        String id = newId() + "\nwith newline";
        store().create(id, Map.of("user", "u-1"), Duration.ofMinutes(10));
        String key = PREFIX + "session:" + id;
        assertThat(redis.get(key)).isEqualTo("{\"user\":\"u-1\"}");
        assertThat(redis.ttl(key)).isBetween(598L, 600L);
        assertThat(store().touch(id, Duration.ofHours(1))).isTrue();
        assertThat(redis.ttl(key)).isBetween(3598L, 3600L);
    }
}
