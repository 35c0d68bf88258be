package io.llmstore.redis.gateway;

import io.lettuce.core.ScriptOutputType;
import io.llmstore.core.gateway.BudgetCounter;
import io.llmstore.redis.internal.LuaScript;
import io.llmstore.redis.internal.RedisConnector;
import io.llmstore.redis.internal.RedisErrors;
import io.llmstore.redis.internal.RedisKeys;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * {@link BudgetCounter} with one Lua script ({@code budget.lua}, run by SHA): the counter at
 * {@code <prefix>budget:{<api key id>}:<yyyy-mm>} and its fired thresholds at {@code ...:alerts}, one hash slot, so it
 * runs unchanged on Redis Cluster. Thread-safe.
 */
public final class RedisBudgetCounter implements BudgetCounter {
    private final RedisConnector connector;
    private final LuaScript script;
    private final String prefix;

    public RedisBudgetCounter(RedisConnector connector, String prefix) {
        this.connector = connector;
        this.script = LuaScript.load("budget.lua");
        this.prefix = prefix;
    }

    @Override
    public Result apply(long apiKeyId, YearMonth month, boolean reserve, long amount, long limit, Instant expireAt,
                        OptionalLong init, List<Long> thresholds) {
        String counter = prefix + "budget:{" + apiKeyId + "}:" + month;
        byte[][] keys = {RedisKeys.bytes(counter), RedisKeys.bytes(counter + ":alerts")};
        List<byte[]> args = new ArrayList<>();
        args.add(bytes(reserve ? "reserve" : "settle"));
        args.add(bytes(Long.toString(amount)));
        args.add(bytes(Long.toString(limit)));
        args.add(bytes(Long.toString(expireAt.getEpochSecond())));
        args.add(bytes(init.isPresent() ? Long.toString(init.getAsLong()) : ""));
        thresholds.forEach(t -> args.add(bytes(Long.toString(t))));
        List<Object> reply;
        try {
            reply = script.run(connector.connection().sync(), ScriptOutputType.MULTI, keys, args.toArray(byte[][]::new));
        } catch (RuntimeException e) {
            throw RedisErrors.translate("budget of API key " + apiKeyId, e);
        }
        String status = new String((byte[]) reply.get(0), StandardCharsets.UTF_8);
        if ("missing".equals(status)) {
            return new Result(Status.MISSING, 0, List.of());
        }
        long spent = (Long) reply.get(1);
        List<Long> fired = new ArrayList<>();
        for (int i = 2; i < reply.size(); i++) {
            fired.add((Long) reply.get(i));
        }
        return new Result("ok".equals(status) ? Status.OK : Status.REFUSED, spent, fired);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
