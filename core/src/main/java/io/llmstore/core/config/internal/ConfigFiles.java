package io.llmstore.core.config.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.llmstore.core.error.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/** Reads the file-based and process-based layers: system properties, environment, {@code .env}, YAML. */
public final class ConfigFiles {
    /**
     * YAML sections and the variable prefix they stand for: {@code pool.max_connections} is
     * {@code DB_POOL_MAX_CONNECTIONS}. Other sections map to their own upper-case name
     * ({@code usage_writer.batch_size} is {@code USAGE_WRITER_BATCH_SIZE}).
     */
    private static final Map<String, String> SECTION_PREFIX = Map.of(
            "postgres", "DB",
            "database", "DB",
            "pool", "DB_POOL",
            "retry", "DB_RETRY");

    private ConfigFiles() {
    }

    public static ConfigLayer systemProperties(Properties properties) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String name : properties.stringPropertyNames()) {
            values.put(name, properties.getProperty(name));
        }
        return ConfigLayer.of("system properties", values);
    }

    public static ConfigLayer environment(Map<String, String> env) {
        return ConfigLayer.of("environment", env);
    }

    /**
     * A {@code .env} file: {@code NAME=value} lines, optional {@code export}, {@code #} comments, single or double
     * quotes. A missing file is an empty layer; an unreadable or malformed one is a ConfigException naming the line.
     */
    public static ConfigLayer dotEnv(Path file) {
        String name = ".env file " + file;
        if (!Files.exists(file)) {
            return ConfigLayer.of(name, Map.of());
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("cannot read " + name + ": " + e.getMessage(), e);
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("export ")) {
                line = line.substring("export ".length()).strip();
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new ConfigException(name + " line " + (i + 1) + " must have the form NAME=value");
            }
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"")
                    || value.startsWith("'") && value.endsWith("'"))) {
                value = value.substring(1, value.length() - 1);
            } else {
                int comment = value.indexOf(" #");
                if (comment >= 0) {
                    value = value.substring(0, comment).strip();
                }
            }
            values.put(key, value);
        }
        return ConfigLayer.of(name, values);
    }

    /**
     * A YAML file with {@code postgres:}, {@code pool:}, {@code retry:}, {@code redis:}, {@code kafka:},
     * {@code cache:} sections (and any module's own section), flattened to variable names. {@code postgres.url} is
     * {@code DATABASE_URL}. A missing, unreadable or malformed file, or a value of the wrong shape, is a
     * ConfigException naming the file and the YAML path.
     */
    public static ConfigLayer yaml(Path file) {
        String name = "YAML file " + file;
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new ConfigException("cannot parse " + name + ": " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()), e);
        } catch (IOException e) {
            throw new ConfigException("cannot read " + name + ": " + e.getMessage(), e);
        }
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> origins = new LinkedHashMap<>();
        if (root == null || root.isMissingNode() || root.isNull()) {
            return new ConfigLayer(name, values, origins);
        }
        if (!root.isObject()) {
            throw new ConfigException(name + " must be a mapping of sections (postgres:, redis:, kafka:, ...)");
        }
        Iterator<Map.Entry<String, JsonNode>> sections = root.fields();
        while (sections.hasNext()) {
            Map.Entry<String, JsonNode> section = sections.next();
            String key = section.getKey();
            String prefix = SECTION_PREFIX.getOrDefault(key.toLowerCase(Locale.ROOT), toVariable(key));
            // section.key = value; only cache names nest one level more (cache.api_key.ttl).
            int maxDepth = key.equalsIgnoreCase("cache") ? 3 : 2;
            flatten(name, key, prefix, section.getValue(), 1, maxDepth, values, origins);
        }
        return new ConfigLayer(name, values, origins);
    }

    private static void flatten(String file, String path, String variable, JsonNode node, int depth, int maxDepth,
                                Map<String, String> values, Map<String, String> origins) {
        if (node.isObject() && depth >= maxDepth) {
            // A mapping where a value belongs (pool.max_connections: {a: 1}) would otherwise become an unknown
            // variable and be ignored silently.
            throw new ConfigException(path + " in " + file + " must be a value or a list of values, not a mapping");
        }
        if (node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                String childVariable = variable + "_" + toVariable(field.getKey());
                if (childVariable.equals("DB_URL")) {
                    childVariable = "DATABASE_URL";
                }
                flatten(file, path + "." + field.getKey(), childVariable, field.getValue(), depth + 1, maxDepth,
                        values, origins);
            }
            return;
        }
        String text;
        if (node.isArray()) {
            StringBuilder joined = new StringBuilder();
            for (JsonNode item : node) {
                if (!item.isValueNode()) {
                    throw new ConfigException(path + " in " + file + " must be a value or a list of values");
                }
                joined.append(joined.length() == 0 ? "" : ",").append(item.asText());
            }
            text = joined.toString();
        } else if (node.isNull()) {
            return;
        } else {
            text = node.asText();
        }
        values.put(variable, text);
        origins.put(variable, path);
    }

    private static String toVariable(String yamlKey) {
        return yamlKey.trim().replace('-', '_').replace('.', '_').toUpperCase(Locale.ROOT);
    }
}
