package io.llmstore.examples.aiservices;

import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import io.llmstore.core.StoragePool;
import io.llmstore.core.config.StorageConfig;
import io.llmstore.core.conversation.Message;
import io.llmstore.core.conversation.StoredMessage;
import io.llmstore.core.embedding.Chunk;
import io.llmstore.core.embedding.EmbeddingQuery;
import io.llmstore.core.embedding.Match;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The guide's RAG loop: embed the question, retrieve the top 5 chunks, build the prompt, call the LLM, store both
 * messages. The embedding model is all-MiniLM-L6-v2 (384 dimensions, ONNX, in-process); the LLM is the caller's.
 * Needs {@code EMBEDDING_DIMENSIONS=384} and a database with pgvector.
 */
public final class RagLoop {
    /** A small handbook, one chunk per line. */
    public static final List<String> HANDBOOK = List.of(
            "To reset your password, open Settings, choose Security and click 'Reset password'; a link is emailed to you.",
            "Two-factor authentication can be enabled under Settings > Security with any TOTP app.",
            "Invoices are issued on the first day of each month and can be downloaded from the Billing page.",
            "Refunds are processed within 5 business days to the original payment method.",
            "The API rate limit is 60 requests per minute per key; exceeding it returns HTTP 429.",
            "API keys are created on the Developer page and can be revoked at any time.",
            "Our offices are closed on public holidays; support replies within one business day.",
            "Data is stored in the EU region and backed up every night.",
            "You can export all your conversations as JSON from the Privacy page.",
            "Deleting your account erases your profile and conversation history within 30 days.",
            "The mobile app supports offline mode for documents you marked as favourites.",
            "Team plans allow up to 50 members and shared billing.");

    /** What one turn did: the chunks retrieved, the prompt sent, the answer, the two stored messages. */
    public record Turn(List<Match> context, String prompt, String answer, List<StoredMessage> stored) {
    }

    private RagLoop() {
    }

    /** Runs the example with {@code DATABASE_URL} from the environment and an echoing stand-in LLM. */
    public static void main(String[] args) {
        StorageConfig config = StorageConfig.builder().set("EMBEDDING_DIMENSIONS", "384").build();
        run(config, new AllMiniLmL6V2EmbeddingModel(), prompt -> "(an LLM would answer here)", System.out,
                "How do I change my password?");
    }

    /** Loads the handbook, then answers {@code question} in session {@code rag-demo} of user {@code u-1}. */
    public static Turn run(StorageConfig config, EmbeddingModel model, UnaryOperator<String> llm, PrintStream out,
                           String question) {
        try (StoragePool pool = StoragePool.create(config)) {
            pool.usage().migrate();
            List<Chunk> chunks = new ArrayList<>();
            for (int i = 0; i < HANDBOOK.size(); i++) {
                float[] vector = model.embed(HANDBOOK.get(i)).content().vector();
                chunks.add(new Chunk("handbook", i, HANDBOOK.get(i), vector, Map.of("source", "handbook")));
            }
            pool.embeddings().replace("handbook", chunks);       // re-runnable: the document's chunks are replaced

            // 1. embed the question  2. retrieve the top 5
            float[] q = model.embed(question).content().vector();
            List<Match> context = pool.embeddings().search(EmbeddingQuery.nearest(q, 5).where(Map.of("source", "handbook")));
            // 3. build the prompt
            StringBuilder prompt = new StringBuilder("Answer from the context only.\n\nContext:\n");
            for (Match m : context) {
                prompt.append("- ").append(m.text()).append('\n');
            }
            prompt.append("\nQuestion: ").append(question);
            // 4. call the LLM  5. store both messages (one transaction, consecutive sequences)
            String answer = llm.apply(prompt.toString());
            List<StoredMessage> stored = pool.conversations().history().appendAll("u-1", "rag-demo",
                    List.of(Message.user(question), Message.assistant(answer)));

            out.println("Top " + context.size() + " chunks:");
            for (Match m : context) {
                out.printf("  %.3f  %s%n", m.similarity(), m.text());
            }
            out.println("Answer: " + answer);
            return new Turn(context, prompt.toString(), answer, stored);
        }
    }
}
