/** Examples of the LLM Observatory storage guide: recording traces and spans ({@code pool.traces()}). */
package io.llmstore.examples.observatory;
