package io.llmstore.examples.storage;

import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.table;
import static org.jooq.impl.SQLDataType.VARCHAR;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.redis.RedisSettings;
import java.io.PrintStream;
import java.util.List;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Table;

/** How do I read a user through a Redis cache, falling back to PostgreSQL on a miss (cache-aside)? */
public final class CacheAsideUser {
    /** A row of the application's own {@code users} table. */
    public record User(String id, String name, String plan) {
    }

    /** How long a cached user lives: a changed row is seen within this. */
    public static final long TTL_SECONDS = 300;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Table<?> USERS = table(name("users"));
    private static final Field<String> ID = field(name("id"), VARCHAR(64).notNull());
    private static final Field<String> NAME = field(name("name"), VARCHAR(255));
    private static final Field<String> PLAN = field(name("plan"), VARCHAR(32));

    private CacheAsideUser() {
    }

    /** Runs the example with {@code DATABASE_URL} and {@code REDIS_URL} from the environment. */
    public static void main(String[] args) throws JsonProcessingException {
        run(StorageConfig.fromEnv(), System.out);
    }

    /** Creates and fills the {@code users} table, then reads user u-42 twice: database, then cache. */
    public static List<User> run(StorageConfig config, PrintStream out) throws JsonProcessingException {
        try (StoragePool pool = StoragePool.create(config)) {
            pool.usage().migrate(); // creates DB_SCHEMA; the application's tables live beside the usage tables
            DSLContext db = pool.client(DSLContext.class).orElseThrow();
            db.createTableIfNotExists(USERS).columns(ID, NAME, PLAN).primaryKey(ID).execute();
            db.insertInto(USERS, ID, NAME, PLAN).values("u-42", "Ada Lovelace", "pro").onConflictDoNothing().execute();

            String prefix = config.settings().string(RedisSettings.REDIS_KEY_PREFIX).orElse(""); // same namespace
            RedisClient client = pool.client(RedisClient.class).orElseThrow(); // the pool's: do not shut it down
            try (StatefulRedisConnection<String, String> connection = client.connect()) { // ours: closed here
                RedisCommands<String, String> redis = connection.sync();
                return List.of(findUser(db, redis, prefix, "u-42", out), findUser(db, redis, prefix, "u-42", out));
            }
        }
    }

    /** The user from Redis when cached, else from PostgreSQL, then cached for {@link #TTL_SECONDS}. */
    static User findUser(DSLContext db, RedisCommands<String, String> redis, String prefix, String id, PrintStream out)
            throws JsonProcessingException {
        String key = prefix + "user:" + id;
        String cached = redis.get(key);
        if (cached != null) {
            out.println(id + " from Redis: " + cached);
            return JSON.readValue(cached, User.class);
        }
        User user = db.select(ID, NAME, PLAN).from(USERS).where(ID.eq(id)).fetchOne(r -> new User(r.value1(), r.value2(), r.value3()));
        redis.setex(key, TTL_SECONDS, JSON.writeValueAsString(user));
        out.println(id + " from PostgreSQL, cached for " + TTL_SECONDS + " s as " + key);
        return user;
    }
}
