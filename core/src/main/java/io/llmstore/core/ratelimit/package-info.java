/**
 * Rate limiting: {@link io.llmstore.core.ratelimit.RateLimiters} creates a
 * {@link io.llmstore.core.ratelimit.RateLimiter} for a {@link io.llmstore.core.ratelimit.RateLimitPolicy} (one or
 * more {@link io.llmstore.core.ratelimit.RateLimit}s decided together); it answers with a
 * {@link io.llmstore.core.ratelimit.Decision} and supports reserve-then-settle through
 * {@link io.llmstore.core.ratelimit.Reservation}. {@link io.llmstore.core.ratelimit.LocalRateLimiters} is the
 * in-process fallback.
 */
package io.llmstore.core.ratelimit;
