package io.llmstore.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What every {@link SessionStore} must do; extended by the in-process fallback and by the Redis adapter. */
public abstract class SessionStoreContract {
    protected abstract SessionStore store();

    /** Lets {@code d} pass for the store (move the clock, or sleep). */
    protected abstract void advance(Duration d);

    protected String newId() {
        return "session " + UUID.randomUUID();
    }

    @Test
    void aCreatedSessionReadsBackAsJsonData() {
        String id = newId();
        Map<String, Object> data = Map.of("user", "u-42", "turns", 3, "tags", List.of("a", "b"),
                "prefs", Map.of("model", "gpt-4o", "stream", true));
        store().create(id, data, Duration.ofMinutes(1));
        assertThat(store().get(id)).contains(data);
    }

    @Test
    void anAbsentSessionIsEmpty() {
        assertThat(store().get(newId())).isEmpty();
    }

    @Test
    void aSessionExpiresAfterItsTtl() {
        String id = newId();
        store().create(id, Map.of("k", "v"), Duration.ofMillis(300));
        assertThat(store().get(id)).isPresent();
        advance(Duration.ofMillis(450));
        assertThat(store().get(id)).isEmpty();
        assertThat(store().touch(id, Duration.ofMinutes(1))).isFalse();
    }

    @Test
    void touchExtendsTheSessionsLife() {
        String id = newId();
        store().create(id, Map.of("k", "v"), Duration.ofMillis(400));
        advance(Duration.ofMillis(250));
        assertThat(store().touch(id, Duration.ofMillis(700))).isTrue();
        advance(Duration.ofMillis(300));
        assertThat(store().get(id)).contains(Map.of("k", "v"));
        advance(Duration.ofMillis(550));
        assertThat(store().get(id)).isEmpty();
    }

    @Test
    void touchingAnAbsentSessionReturnsFalse() {
        assertThat(store().touch(newId(), Duration.ofMinutes(1))).isFalse();
    }

    @Test
    void deleteRemovesTheSessionOnce() {
        String id = newId();
        store().create(id, Map.of(), Duration.ofMinutes(1));
        assertThat(store().delete(id)).isTrue();
        assertThat(store().get(id)).isEmpty();
        assertThat(store().delete(id)).isFalse();
    }

    @Test
    void createReplacesAPreviousSession() {
        String id = newId();
        store().create(id, Map.of("v", 1), Duration.ofMinutes(1));
        store().create(id, Map.of("v", 2), Duration.ofMinutes(1));
        assertThat(store().get(id)).contains(Map.of("v", 2));
    }

    @Test
    void idsWithSpacesNewlinesAndBracesAreUsedVerbatim() {
        String base = UUID.randomUUID().toString();
        List<String> ids = List.of(base + " a b", base + " a\nb", base + " a  b", base + " {a}b",
                base + " redis.call('DEL', KEYS[1])");
        for (int i = 0; i < ids.size(); i++) {
            store().create(ids.get(i), Map.of("i", i), Duration.ofMinutes(1));
        }
        for (int i = 0; i < ids.size(); i++) {
            assertThat(store().get(ids.get(i))).as(ids.get(i)).contains(Map.of("i", i));
        }
    }

    @Test
    void invalidIdsAreRejected() {
        for (String bad : new String[] {null, "", "   ", "\n", "x".repeat(SessionStore.MAX_ID_LENGTH + 1)}) {
            assertThatThrownBy(() -> store().get(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("sessionId");
        }
        assertThat(store().get("x".repeat(SessionStore.MAX_ID_LENGTH))).isEmpty();
        // A lone surrogate has no UTF-8 form: "s\uD800" would otherwise be the session "s?".
        assertThatThrownBy(() -> store().get("s\uD800")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sessionId must not contain an unpaired UTF-16 surrogate");
    }
}
