package io.llmstore.core.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which messages of a framework's window are new, on lists of strings ("S:" marks a system message). */
class NewMessagesUnitTest {
    static List<String> fresh(List<String> stored, List<String> given) {
        return NewMessages.in(stored, given, String::equals, m -> m.startsWith("S:"));
    }

    @Test
    void theWindowEndingWhereTheHistoryEndsAddsOnlyItsTail() {
        assertThat(fresh(List.of("a", "b", "c", "d"), List.of("c", "d", "e"))).containsExactly("e");
        assertThat(fresh(List.of("a", "b"), List.of("a", "b"))).isEmpty();
        assertThat(fresh(List.of(), List.of("a", "b"))).containsExactly("a", "b");
    }

    @Test
    void aRepeatedMessageOrARepeatedPairIsNewWhenTheWindowSaysSo() {
        assertThat(fresh(List.of("hi", "hello"), List.of("hi", "hello", "hi"))).containsExactly("hi");
        assertThat(fresh(List.of("a", "b"), List.of("a", "b", "a", "b"))).containsExactly("a", "b");
    }

    @Test
    void aKeptSystemMessageLeadsTheWindowAndIsNotAddedAgain() {
        assertThat(fresh(List.of("S:be brief", "a", "b", "c"), List.of("S:be brief", "b", "c", "d"))).containsExactly("d");
        assertThat(fresh(List.of("a", "b"), List.of("S:new rules", "a", "b", "c"))).containsExactly("S:new rules", "c");
    }

    @Test
    void anotherInstancesAppendInBetweenDoesNotMakeThisOnesWindowNew() {
        // this instance read [a, b], the other appended x, this one now hands over [a, b, y]
        assertThat(fresh(List.of("a", "b", "x"), List.of("a", "b", "y"))).containsExactly("y");
    }

    @Test
    void aWindowOfOneIsAlwaysNewUnlessItIsTheLastStored() {
        assertThat(fresh(List.of("a", "b"), List.of("c"))).containsExactly("c");
        assertThat(fresh(List.of("a", "b"), List.of("b"))).isEmpty();
    }
}
