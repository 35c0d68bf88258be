package io.llmstore.core.gateway;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** A transaction's store that remembers which keys' state changed, to invalidate them after the commit. */
record RecordingStore(GatewayStore tx, List<String> changed) implements GatewayStore {
    @Override
    public ApiKeyStore apiKeys() {
        ApiKeyStore keys = tx.apiKeys();
        return new ApiKeyStore() {
            @Override
            public ApiKey insert(String keyHash, ApiKeySpec spec) {
                return keys.insert(keyHash, spec);
            }

            @Override
            public Optional<ApiKey> findByHash(String keyHash) {
                return keys.findByHash(keyHash);
            }

            @Override
            public Optional<ApiKey> findById(long id) {
                return keys.findById(id);
            }

            @Override
            public Optional<ApiKey> setEnabled(long id, boolean enabled) {
                return remember(keys.setEnabled(id, enabled));
            }

            @Override
            public Optional<ApiKey> revoke(long id, Instant at) {
                return remember(keys.revoke(id, at));
            }

            @Override
            public boolean setMetadata(long id, String category, String key, String value) {
                return keys.setMetadata(id, category, key, value);
            }

            @Override
            public Map<String, String> metadata(long id, String category) {
                return keys.metadata(id, category);
            }

            @Override
            public List<ApiKey> listAfter(long afterId, int limit) {
                return keys.listAfter(afterId, limit);
            }

            @Override
            public List<ApiKey> listPage(int limit, long offset) {
                return keys.listPage(limit, offset);
            }

            private Optional<ApiKey> remember(Optional<ApiKey> key) {
                key.ifPresent(k -> changed.add(k.keyHash()));
                return key;
            }
        };
    }

    @Override
    public ModelStore models() {
        return tx.models();
    }

    @Override
    public UsageRecords records() {
        return tx.records();
    }

    @Override
    public MonthlySummaries summaries() {
        return tx.summaries();
    }

    @Override
    public <T> T inTransaction(Function<GatewayStore, T> work) {
        return work.apply(this); // already in one
    }
}
