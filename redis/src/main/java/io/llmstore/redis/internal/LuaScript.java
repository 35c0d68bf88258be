package io.llmstore.redis.internal;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * A Lua script from a {@code .lua} resource, run by SHA ({@code EVALSHA}); when the server answers NOSCRIPT (it
 * restarted, a cluster replica took over, or someone ran {@code SCRIPT FLUSH}) the call is repeated once with the
 * source ({@code EVAL}, which caches it again). Immutable.
 */
public final class LuaScript {
    private final String name;
    private final byte[] source;
    private final String sha;

    private LuaScript(String name, byte[] source) {
        this.name = name;
        this.source = source;
        this.sha = sha1Hex(source);
    }

    /** Reads {@code io/llmstore/redis/internal/<name>} from the classpath. */
    public static LuaScript load(String name) {
        try (InputStream in = LuaScript.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing Lua resource " + name);
            }
            return new LuaScript(name, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read Lua resource " + name, e);
        }
    }

    /** The SHA-1 the server knows the script by. */
    public String sha() {
        return sha;
    }

    /** Loads the script on the server ({@code SCRIPT LOAD}; through a cluster connection, on every node). */
    public void loadInto(RedisClusterCommands<byte[], byte[]> commands) {
        commands.scriptLoad(source);
    }

    /**
     * Runs it by SHA; on NOSCRIPT the source itself is sent ({@code EVAL}, which also caches it), on the node that
     * serves the keys' slot only: a cluster's other nodes (one of them may be down) are not involved.
     */
    public <T> T run(RedisClusterCommands<byte[], byte[]> commands, ScriptOutputType type, byte[][] keys, byte[]... args) {
        try {
            return commands.evalsha(sha, type, keys, args);
        } catch (RedisNoScriptException e) {
            return commands.eval(source, type, keys, args);
        }
    }

    /**
     * Runs it by SHA without blocking; on NOSCRIPT the source itself is sent ({@code EVAL}, which also caches it on
     * the server). The stage completes with the reply or the failure.
     */
    public <T> CompletionStage<T> runAsync(RedisClusterAsyncCommands<byte[], byte[]> commands, ScriptOutputType type,
                                           byte[][] keys, byte[]... args) {
        RedisFuture<T> bySha = commands.evalsha(sha, type, keys, args);
        return bySha.handle((reply, e) -> {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof RedisNoScriptException) {
                return commands.<T>eval(source, type, keys, args).toCompletableFuture();
            }
            return e == null ? CompletableFuture.completedFuture(reply) : CompletableFuture.<T>failedFuture(cause);
        }).thenCompose(f -> f);
    }

    @Override
    public String toString() {
        return "LuaScript{" + name + ", sha=" + sha + "}";
    }

    private static String sha1Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(Objects.requireNonNull(bytes)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required of every JVM", e);
        }
    }
}
