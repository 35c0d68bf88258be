package io.llmstore.core.price.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A compiled dataset match rule ({@code equals}, {@code starts_with}, {@code ends_with},
 * {@code contains}, {@code regex}, {@code or}, {@code and}). Like the reference, string rules
 * compare case-insensitively; a regex is searched (not anchored) in the input as given, which the
 * catalog has already lower-cased and trimmed.
 */
public interface MatchRule {

    /** True if the (lower-cased, trimmed) input matches. */
    boolean matches(String input);

    /** Compiles a rule object. Unknown rule kinds never match, as in the reference. */
    static MatchRule parse(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("match rule must be an object, was " + node);
        }
        if (node.has("or")) {
            List<MatchRule> rules = parseAll(node.get("or"));
            return s -> {
                for (MatchRule r : rules) {
                    if (r.matches(s)) {
                        return true;
                    }
                }
                return false;
            };
        }
        if (node.has("and")) {
            List<MatchRule> rules = parseAll(node.get("and"));
            return s -> {
                for (MatchRule r : rules) {
                    if (!r.matches(s)) {
                        return false;
                    }
                }
                return true;
            };
        }
        if (node.has("equals")) {
            String v = lower(node.get("equals").asText());
            return s -> s.toLowerCase(Locale.ROOT).equals(v);
        }
        if (node.has("starts_with")) {
            String v = lower(node.get("starts_with").asText());
            return s -> s.toLowerCase(Locale.ROOT).startsWith(v);
        }
        if (node.has("ends_with")) {
            String v = lower(node.get("ends_with").asText());
            return s -> s.toLowerCase(Locale.ROOT).endsWith(v);
        }
        if (node.has("contains")) {
            String v = lower(node.get("contains").asText());
            return s -> s.toLowerCase(Locale.ROOT).contains(v);
        }
        if (node.has("regex")) {
            Pattern p = Pattern.compile(node.get("regex").asText());
            return s -> p.matcher(s).find();
        }
        return s -> false;
    }

    private static List<MatchRule> parseAll(JsonNode array) {
        List<MatchRule> rules = new ArrayList<>();
        array.forEach(n -> rules.add(parse(n)));
        return List.copyOf(rules);
    }

    private static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
