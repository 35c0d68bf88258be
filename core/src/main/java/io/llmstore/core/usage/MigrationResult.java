package io.llmstore.core.usage;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a schema migration did, per feature. A database holds one schema per feature (usage first, then the features
 * added later), each with its own versions, recorded in one history table.
 *
 * @param flavor   {@code "timescaledb"} or {@code "postgresql"}: which variant of the schema is installed
 * @param features every feature the migrator knows, in the order it migrated them; never null
 */
public record MigrationResult(String flavor, List<Feature> features) {
    /** The feature every release ships, migrated first. */
    public static final String USAGE = "usage";

    public MigrationResult {
        Objects.requireNonNull(flavor, "flavor");
        features = List.copyOf(features);
    }

    /**
     * What one feature's migration did.
     *
     * @param name    the feature ({@code usage}, ...)
     * @param applied versions applied by this call, ascending; empty when the feature was already current
     * @param current the feature's version after the call (0: none)
     */
    public record Feature(String name, List<Integer> applied, int current) {
        public Feature {
            Objects.requireNonNull(name, "name");
            applied = List.copyOf(applied);
        }
    }

    /** The named feature's result, or empty when the migrator does not know that feature. */
    public Optional<Feature> feature(String name) {
        return features.stream().filter(f -> f.name().equals(name)).findFirst();
    }

    /** The usage feature's versions applied by this call (see {@link Feature#applied()}); empty without usage. */
    public List<Integer> applied() {
        return feature(USAGE).map(Feature::applied).orElse(List.of());
    }

    /** The usage feature's version after the call (see {@link Feature#current()}); 0 without usage. */
    public int current() {
        return feature(USAGE).map(Feature::current).orElse(0);
    }

    /** Whether this call applied anything, in any feature. */
    public boolean hasApplied() {
        return features.stream().anyMatch(f -> !f.applied().isEmpty());
    }
}
