package io.llmstore.examples.aiservices;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmstore.core.conversation.QuotaDecision;
import io.llmstore.examples.ExampleRun;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/** The conversation and profile example on real TimescaleDB: what it prints is what the tables hold. */
class ConversationsWithQuotaTest {
    @Test
    void twoTurnsFitTheQuotaTheThirdIsRefusedAndOnlyAllowedTurnsAreStored() throws Exception {
        ExampleRun run = ExampleRun.withoutKafka("conv");

        ConversationsWithQuota.Result r = ConversationsWithQuota.run(run.config, run.out, "u-7", "support-1");

        assertThat(r.decisions()).extracting(QuotaDecision::allowed).containsExactly(true, true, false);
        assertThat(r.decisions().get(2).used()).isEqualTo(800);
        assertThat(r.decisions().get(2).remaining()).isEqualTo(200);
        assertThat(run.printed()).contains("answered \"What is RAG?\": 400 tokens used, 600 left",
                "refused \"And how much will it cost?\": 800 of 1000 tokens used, 200 left",
                "  4 assistant (answer to: Which model should I use?)",
                "session support-1: 4 messages, 800 tokens, $0.0012");
        assertThat(run.queryRows("SELECT sequence || '|' || message_role || '|' || message_content FROM conversations"
                + " WHERE session_id = 'support-1' ORDER BY sequence"))
                .containsExactly("1|user|What is RAG?", "2|assistant|(answer to: What is RAG?)",
                        "3|user|Which model should I use?", "4|assistant|(answer to: Which model should I use?)");
        assertThat(run.queryOne("SELECT tokens_used FROM user_profiles WHERE user_id = 'u-7'")).isEqualTo(800L);
        assertThat(r.window()).hasSize(4);
        assertThat(r.summary().costUsd()).isEqualByComparingTo(new BigDecimal("0.0012"));
        assertThat(r.sessions()).singleElement().satisfies(s -> assertThat(s.sessionId()).isEqualTo("support-1"));
    }
}
