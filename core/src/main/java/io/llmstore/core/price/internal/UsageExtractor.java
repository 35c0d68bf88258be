package io.llmstore.core.price.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The dataset's recipe for reading usage out of a provider response: a model path, a root
 * object and mappings from paths under the root to usage keys (several mappings may add into one
 * key; Anthropic's input tokens are input + cache write + cache read). Mirrors
 * {@code extractUsage} of the reference: a path step is a field name or an array match (the first
 * array element whose field matches a rule); a required value that is missing is an error, an
 * optional one is skipped.
 */
public record UsageExtractor(String apiFlavor, List<Object> modelPath, List<Object> root,
                             List<Mapping> mappings) {

    /** Adds the number at {@code path} (under the root) into usage key {@code dest}. */
    public record Mapping(List<Object> path, String dest, boolean required) {
    }

    /** An array step: the first element whose {@code field} (a string) matches. */
    public record ArrayMatch(String field, MatchRule match) {
    }

    /** The result of an extraction: model (or null) and usage by usage key, exact decimals. */
    public record Result(String model, Map<String, BigDecimal> usage) {
    }

    /** Parses an extractor object. */
    public static UsageExtractor parse(JsonNode n) {
        List<Mapping> mappings = new ArrayList<>();
        for (JsonNode m : n.path("mappings")) {
            mappings.add(new Mapping(parsePath(m.get("path")), m.path("dest").asText(), m.path("required").asBoolean()));
        }
        return new UsageExtractor(n.path("api_flavor").asText(), parsePath(n.get("model_path")),
                parsePath(n.get("root")), List.copyOf(mappings));
    }

    private static List<Object> parsePath(JsonNode p) {
        List<Object> steps = new ArrayList<>();
        if (p == null) {
            throw new IllegalArgumentException("extractor path missing");
        }
        if (p.isTextual()) {
            steps.add(p.asText());
        } else {
            for (JsonNode s : p) {
                steps.add(s.isTextual() ? s.asText() : new ArrayMatch(s.path("field").asText(), MatchRule.parse(s.get("match"))));
            }
        }
        if (steps.isEmpty() || !(steps.get(steps.size() - 1) instanceof String)) {
            throw new IllegalArgumentException("last step of an extractor path must be a field name: " + p);
        }
        return List.copyOf(steps);
    }

    /**
     * Extracts usage.
     *
     * @param response the provider's response body
     * @param units the unit table (only its reported usage keys are kept)
     * @throws IllegalArgumentException if a required value is missing or has the wrong type
     */
    public Result extract(JsonNode response, UnitTable units) {
        if (response == null || !response.isObject()) {
            throw new IllegalArgumentException("Expected response data to be a mapping object, got " + kind(response));
        }
        JsonNode model = walk(modelPath, response, false, List.of());
        JsonNode rootNode = walk(root, response, true, List.of());
        if (rootNode == null || !rootNode.isObject()) {
            throw new IllegalArgumentException("Expected `" + render(List.of(), root) + "` value to be a mapping, got " + kind(rootNode));
        }
        Map<String, BigDecimal> usage = new LinkedHashMap<>();
        int mapped = 0;
        for (Mapping m : mappings) {
            if (!units.isReported(m.dest())) {
                continue;
            }
            mapped++;
            JsonNode v = walk(m.path(), rootNode, m.required(), root);
            if (v == null) {
                continue;
            }
            if (!v.isNumber()) {
                if (m.required()) {
                    throw new IllegalArgumentException("Expected `" + render(root, m.path()) + "` value to be a number, got " + kind(v));
                }
                continue;
            }
            // decimalValue, not asLong: 12.6 billable seconds are 12.6, and -0.4 must be refused, not read as 0.
            BigDecimal value = v.decimalValue();
            if (value.signum() < 0) {
                throw new IllegalArgumentException("`" + render(root, m.path()) + "` (usage " + m.dest()
                        + ") must be a non-negative number, was " + value.toPlainString());
            }
            usage.merge(m.dest(), value, BigDecimal::add);
        }
        if (mapped > 0 && usage.isEmpty()) {
            throw new IllegalArgumentException("No usage information found at " + render(List.of(), root));
        }
        return new Result(model != null && model.isTextual() ? model.asText() : null, usage);
    }

    // Returns the value at the path's last step, or null (optional and missing); throws if required.
    private static JsonNode walk(List<Object> path, JsonNode start, boolean required, List<Object> prefix) {
        JsonNode cur = start;
        List<Object> seen = new ArrayList<>();
        for (int i = 0; i < path.size() - 1; i++) {
            Object step = path.get(i);
            seen.add(step);
            if (step instanceof ArrayMatch am) {
                if (!cur.isArray()) {
                    return fail(required, "Expected `" + render(prefix, seen) + "` value to be a mapping, got " + kind(cur));
                }
                JsonNode found = null;
                for (JsonNode el : cur) {
                    JsonNode f = el.isObject() ? el.get(am.field()) : null;
                    if (f != null && f.isTextual() && am.match().matches(f.asText())) {
                        found = el;
                        break;
                    }
                }
                if (found == null) {
                    return fail(required, "Unable to find item at `" + render(prefix, seen) + "`");
                }
                cur = found;
            } else {
                if (!cur.isObject()) {
                    return fail(required, "Expected `" + render(prefix, seen) + "` value to be a mapping, got " + kind(cur));
                }
                JsonNode next = cur.get((String) step);
                if (next == null) {
                    return fail(required, "Missing value at `" + render(prefix, seen) + "`");
                }
                cur = next;
            }
        }
        if (!cur.isObject()) {
            return fail(required, "Expected `" + render(prefix, seen) + "` value to be a mapping, got " + kind(cur));
        }
        String last = (String) path.get(path.size() - 1);
        JsonNode v = cur.get(last);
        if (v == null) {
            seen.add(last);
            return fail(required, "Missing value at `" + render(prefix, seen) + "`");
        }
        return v;
    }

    private static JsonNode fail(boolean required, String message) {
        if (required) {
            throw new IllegalArgumentException(message);
        }
        return null;
    }

    private static String render(List<Object> prefix, List<Object> steps) {
        StringBuilder sb = new StringBuilder();
        for (List<Object> l : List.of(prefix, steps)) {
            for (Object o : l) {
                sb.append(sb.length() == 0 ? "" : ".").append(o instanceof ArrayMatch am ? "[" + am.field() + "]" : o);
            }
        }
        return sb.toString();
    }

    private static String kind(JsonNode n) {
        if (n == null || n.isNull()) {
            return "null";
        }
        if (n.isMissingNode()) {
            return "nothing (empty body)";
        }
        return n.isArray() ? "array" : n.isObject() ? "mapping" : n.isNumber() ? "number" : n.isTextual() ? "string" : "boolean";
    }
}
