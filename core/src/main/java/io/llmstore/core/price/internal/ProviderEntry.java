package io.llmstore.core.price.internal;

import java.util.List;

/**
 * One provider of the dataset.
 *
 * @param id the dataset's provider id, e.g. {@code openai}
 * @param name display name
 * @param providerMatch rule recognising other spellings of the provider id, or null
 * @param modelMatch rule recognising the provider's model ids when no provider is given, or null
 * @param fallbackProviders ids of providers whose models this provider also serves
 * @param models models in dataset order (first match wins)
 * @param extractors usage extractors by API flavor
 */
public record ProviderEntry(String id, String name, MatchRule providerMatch, MatchRule modelMatch,
                            List<String> fallbackProviders, List<ModelEntry> models,
                            List<UsageExtractor> extractors) {

    /** The first model whose rule matches the lower-cased, trimmed id, or null. */
    public ModelEntry findModel(String modelId) {
        for (ModelEntry m : models) {
            if (m.match().matches(modelId)) {
                return m;
            }
        }
        return null;
    }

    /** The extractor for an API flavor, or null. */
    public UsageExtractor extractor(String apiFlavor) {
        for (UsageExtractor e : extractors) {
            if (e.apiFlavor().equals(apiFlavor)) {
                return e;
            }
        }
        return null;
    }
}
