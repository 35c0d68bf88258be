/** Rate limiting: the {@link io.llmstore.core.ratelimit.RateLimiter} port and its {@link io.llmstore.core.ratelimit.Decision}. */
package io.llmstore.core.ratelimit;
