package io.llmstore.core.stream;

/**
 * Counts tokens of text for estimates (an aborted stream's output, a prompt's input). The default,
 * {@link #CHARS_DIV_4}, is the documented rule: Unicode code points / 4, rounded up, over the whole text. A real
 * tokenizer (for example jtokkit's {@code Encoding::countTokens}) can be plugged in with
 * {@code StreamRecorder.Builder.tokenCounter}; it is then called once per streamed text piece and the counts are
 * summed. Must be thread-safe and fast: it runs on the thread that feeds the stream.
 */
@FunctionalInterface
public interface TokenCounter {
    /** Code points / 4, rounded up (the recorder sums code points over the whole stream, then divides once). */
    TokenCounter CHARS_DIV_4 = text -> (text.toString().codePoints().count() + 3) / 4;

    /** Tokens in {@code text}, >= 0. */
    long count(CharSequence text);
}
