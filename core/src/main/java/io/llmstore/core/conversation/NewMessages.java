package io.llmstore.core.conversation;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiPredicate;
import java.util.function.Predicate;

/**
 * Which messages of a list a chat-memory framework hands over are new. LangChain4j's {@code ChatMemoryStore} and
 * Spring AI's {@code ChatMemoryRepository} receive the whole window each turn (the stored messages it still holds,
 * then the new ones; a kept system message may lead); the adapters over {@link ConversationHistory} append only the
 * new ones, so the history keeps every message while the framework serves its window.
 *
 * <p>The rule: the longest leading part of {@code given} (after an optional leading system message) that occurs, in
 * order and contiguous, in the stored {@code recent} messages, is old; what follows it is new. The occurrence is
 * searched from the newest end, so the usual case (the window ends where the history ends) costs one comparison
 * per message. Another instance that appended in between only moves where the old part sits in the history, so two
 * instances appending to one conversation each add their own messages once. A window of messages that all repeat an
 * earlier run of the history word for word would be taken as old: with a window of more than one message that
 * needs the same conversation twice.
 */
public final class NewMessages {
    private NewMessages() {
    }

    /**
     * The new messages of {@code given}, in its order: those after its old part, and a leading system message that is
     * not stored (MessageWindowChatMemory puts one first; appended, it lands after the history it now precedes).
     *
     * @param recent   the stored messages, oldest first: the last ones, at least as many as {@code given} holds
     * @param given    the framework's list, oldest first
     * @param same     whether a given message is a stored one
     * @param isSystem whether a given message is a system message
     */
    public static <S, G> List<G> in(List<S> recent, List<G> given, BiPredicate<G, S> same, Predicate<G> isSystem) {
        int from = 0;
        List<G> fresh = new ArrayList<>();
        if (!given.isEmpty() && isSystem.test(given.get(0))) {
            from = 1;
            if (recent.stream().noneMatch(s -> same.test(given.get(0), s))) {
                fresh.add(given.get(0));
            }
        }
        int oldEnd = from;
        for (int length = given.size() - from; length > 0; length--) {
            if (occurs(recent, given, from, length, same)) {
                oldEnd = from + length;
                break;
            }
        }
        fresh.addAll(given.subList(oldEnd, given.size()));
        return fresh;
    }

    /** Whether {@code given[from, from + length)} occurs contiguously in {@code recent}, searched newest first. */
    private static <S, G> boolean occurs(List<S> recent, List<G> given, int from, int length, BiPredicate<G, S> same) {
        for (int end = recent.size(); end - length >= 0; end--) {
            boolean all = true;
            for (int k = 0; k < length && all; k++) {
                all = same.test(given.get(from + k), recent.get(end - length + k));
            }
            if (all) {
                return true;
            }
        }
        return false;
    }
}
