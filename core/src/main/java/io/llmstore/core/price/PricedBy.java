package io.llmstore.core.price;

/**
 * What priced a call: the catalog layer and the provider and model it matched.
 *
 * @param source {@code "<dataset>@<version>"} for catalog data, or {@code "override:<id>"}
 * @param providerId the matched provider id (the requested provider for an override that names none)
 * @param modelId the matched model id of the dataset, or the override's model id
 */
public record PricedBy(String source, String providerId, String modelId) {
}
