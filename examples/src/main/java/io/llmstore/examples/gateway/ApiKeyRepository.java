package io.llmstore.examples.gateway;

import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.gateway.ApiKey;
import io.llmstore.core.gateway.ApiKeySpec;
import io.llmstore.core.gateway.ApiKeys;
import java.io.PrintStream;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;

/** How do I issue an API key, check it on every request (cached), tag it, and revoke it everywhere? */
public final class ApiKeyRepository {
    private ApiKeyRepository() {
    }

    public static void main(String[] args) {
        run(StorageConfig.fromEnv(), System.out);
    }

    /** Issues a key, validates it twice (the second from the cache), tags it, revokes it; returns the stored key. */
    public static ApiKey run(StorageConfig config, PrintStream out) {
        try (StoragePool pool = StoragePool.create(config)) {
            pool.usage().migrate();
            ApiKeys keys = pool.gateway().apiKeys();
            byte[] random = new byte[24];
            new SecureRandom().nextBytes(random);
            String raw = "sk-" + HexFormat.of().formatHex(random); // hand this to the user once; llmstore keeps its hash

            ApiKey key = keys.create(raw, ApiKeySpec.named("ci-pipeline").allowedModels(List.of("gpt-4o"))
                    .rateLimitPerMinute(60));
            keys.setMetadata(key.id(), "tag", "environment", "production");
            out.println("created " + key);

            ApiKey presented = keys.getByRawKey(raw); // database, then cached
            out.println("valid: " + keys.isValid(presented) + ", may call gpt-4o: " + keys.allowsModel(presented, "gpt-4o")
                    + ", claude: " + keys.allowsModel(presented, "claude-haiku-4-5"));
            out.println("tags: " + keys.metadata(key.id(), "tag"));
            keys.getByRawKey(raw);
            out.println("cache: " + keys.cacheStats().hits() + " hit(s), " + keys.cacheStats().misses() + " miss(es)");

            keys.revoke(key.id()); // database first, then both cache tiers on every instance
            out.println("after revoke valid: " + keys.isValid(raw));
            return keys.get(key.id());
        }
    }
}
