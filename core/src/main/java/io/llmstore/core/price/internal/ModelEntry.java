package io.llmstore.core.price.internal;

/**
 * One model of a provider: its id, display name, match rule and price schedule.
 *
 * @param id the dataset's model id
 * @param name display name, or null
 * @param match the rule that recognises model ids of this model
 * @param schedule its prices over time
 */
public record ModelEntry(String id, String name, MatchRule match, PriceSchedule schedule) {
}
