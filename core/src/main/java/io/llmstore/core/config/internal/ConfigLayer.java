package io.llmstore.core.config.internal;

import java.util.Map;

/**
 * One source of configuration values, keyed by the environment spelling of each variable.
 *
 * @param name    what the layer is, for messages: "environment", ".env file /app/.env"
 * @param values  variable name to raw text
 * @param origins optional finer origin per variable (the YAML path), may be empty
 */
public record ConfigLayer(String name, Map<String, String> values, Map<String, String> origins) {
    public ConfigLayer {
        values = Map.copyOf(values);
        origins = Map.copyOf(origins);
    }

    public static ConfigLayer of(String name, Map<String, String> values) {
        return new ConfigLayer(name, values, Map.of());
    }

    public String get(String variable) {
        return values.get(variable);
    }

    /** The layer's name and the variables it sets, never their values (a layer holds passwords and URLs). */
    @Override
    public String toString() {
        return "ConfigLayer{" + name + ", sets " + new java.util.TreeSet<>(values.keySet()) + "}";
    }

    /** "environment", or "postgres.port in YAML file config.yml". */
    public String describe(String variable) {
        String origin = origins.get(variable);
        return origin == null ? name : origin + " in " + name;
    }
}
