package io.llmstore.examples.aiservices;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import io.llmstore.core.embedding.Match;
import io.llmstore.examples.ExampleRun;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The RAG loop on the real TimescaleDB with pgvector and the real all-MiniLM-L6-v2 model: the retrieved chunks are
 * the exact cosine top 5 (computed here from the model's own vectors), the prompt carries them in order, the LLM
 * receives that prompt, and both messages are stored.
 */
class RagLoopTest {
    static final EmbeddingModel MODEL = new AllMiniLmL6V2EmbeddingModel();

    @Test
    void aTurnRetrievesTheExactTopFiveBuildsThePromptAndStoresBothMessages() throws Exception {
        ExampleRun run = new ExampleRun("rag", false, b -> b.set("EMBEDDING_DIMENSIONS", "384"));
        String question = "I forgot my password, how can I set a new one?";
        AtomicReference<String> sent = new AtomicReference<>();

        RagLoop.Turn turn = RagLoop.run(run.config, MODEL, prompt -> {
            sent.set(prompt);
            return "Open Settings > Security > Reset password.";
        }, run.out, question);

        List<Integer> expected = exactTopFive(question);
        assertThat(turn.context()).extracting(Match::chunkIndex).containsExactlyElementsOf(expected);
        assertThat(turn.context().get(0).text()).startsWith("To reset your password");
        assertThat(turn.context()).extracting(Match::similarity).isSortedAccordingTo(Comparator.reverseOrder());

        assertThat(sent.get()).isEqualTo(turn.prompt()).endsWith("Question: " + question);
        int at = -1;
        for (Match m : turn.context()) {
            int next = sent.get().indexOf(m.text());
            assertThat(next).as("chunk %d in the prompt, after the previous one", m.chunkIndex()).isGreaterThan(at);
            at = next;
        }
        assertThat(run.queryRows("SELECT sequence, message_role, message_content FROM conversations ORDER BY sequence"))
                .containsExactly("1|user|" + question, "2|assistant|Open Settings > Security > Reset password.");
        assertThat(run.queryOne("SELECT count(*) FROM document_embeddings")).isEqualTo(12L);
        assertThat(run.printed()).contains("Top 5 chunks:", "Answer: Open Settings > Security > Reset password.");

        // a second turn: the handbook is replaced, not duplicated; the history grows by two
        RagLoop.run(run.config, MODEL, prompt -> "Invoices: Billing page.", run.out, "Where are my invoices?");
        assertThat(run.queryOne("SELECT count(*) FROM document_embeddings")).isEqualTo(12L);
        assertThat(run.queryRows("SELECT sequence || ':' || message_role FROM conversations ORDER BY sequence"))
                .containsExactly("1:user", "2:assistant", "3:user", "4:assistant");
    }

    /** The exact cosine top 5 of the handbook for {@code question}, from the model's vectors. */
    static List<Integer> exactTopFive(String question) {
        float[] q = MODEL.embed(question).content().vector();
        List<float[]> docs = new ArrayList<>();
        for (String text : RagLoop.HANDBOOK) {
            docs.add(MODEL.embed(text).content().vector());
        }
        return IntStream.range(0, docs.size()).boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> -cosine(docs.get(i), q)))
                .limit(5).toList();
    }

    static double cosine(float[] a, float[] b) {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }
}
