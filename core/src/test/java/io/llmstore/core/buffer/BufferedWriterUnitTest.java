package io.llmstore.core.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmstore.core.buffer.BufferedWriter.FullPolicy;
import io.llmstore.core.error.BufferFullException;
import io.llmstore.core.error.QueryException;
import io.llmstore.core.error.StorageException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The shared buffer with a row type of its own: messages name the kind and its setting; poison rows by their id. */
class BufferedWriterUnitTest {
    record Span(String id, int tokens) {
    }

    @Test
    void aFullBufferNamesTheRowKindAndItsCapacitySetting() {
        try (BufferedWriter<Span> buffer = BufferedWriter.<Span>builder("span", rows -> {
            throw new StorageException("database down", true); // the rows stay held: the buffer stays full
        }, Span::id)
                .settings("SPAN_BUFFER_CAPACITY", "SPAN_SHUTDOWN_FLUSH_TIMEOUT")
                .capacity(2).flushSize(2).flushInterval(Duration.ofHours(1))
                .whenFull(FullPolicy.REJECT, Duration.ZERO).shutdownFlushTimeout(Duration.ZERO).build()) {
            buffer.record(new Span("a", 1));
            buffer.record(new Span("b", 1));
            assertThatThrownBy(() -> buffer.record(new Span("c", 1))).isInstanceOf(BufferFullException.class)
                    .hasMessageStartingWith("span buffer is full (2 rows, SPAN_BUFFER_CAPACITY)");
        }
    }

    @Test
    void aRowRefusedForItsDataIsReportedAloneAndTheOthersAreStored() {
        List<Span> stored = new CopyOnWriteArrayList<>();
        List<String> poison = new CopyOnWriteArrayList<>();
        BufferedWriter.BatchWriter<Span> store = rows -> {
            if (rows.stream().anyMatch(s -> s.tokens() < 0)) {
                throw QueryException.dataError("negative tokens", null, "23514");
            }
            stored.addAll(rows);
        };
        try (BufferedWriter<Span> buffer = BufferedWriter.builder("span", store, Span::id)
                .flushInterval(Duration.ofHours(1)).shutdownFlushTimeout(Duration.ZERO)
                .listener(new BufferedWriter.Listener<>() {
                    @Override
                    public void onPoison(Span row, RuntimeException cause) {
                        poison.add(row.id());
                    }
                }).build()) {
            List<Span> rows = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                rows.add(new Span("s" + i, i == 37 ? -1 : i));
            }
            buffer.recordAll(rows);
            buffer.flush();
            assertThat(poison).containsExactly("s37");
            assertThat(stored).hasSize(99).doesNotContain(rows.get(37));
            assertThat(buffer.stats().poison()).isEqualTo(1);
            assertThat(buffer.stats().written()).isEqualTo(99);
        }
    }
}
