package io.llmstore.core.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.UUID;

/**
 * One request through the gateway, as stored in {@code gateway_usage_records}. Immutable.
 *
 * @param id                   database id; 0 before it is stored
 * @param requestId            the request's id, unique: storing the same request again stores nothing
 * @param apiKeyId             the key that made it
 * @param modelId              the model called
 * @param providerId           the model's provider
 * @param requestTimestamp     when the request was made; truncated to microseconds (what {@code timestamptz} keeps, so
 *                             the server never rounds it, e.g. across a month boundary of the summaries)
 * @param promptTokens         >= 0
 * @param completionTokens     >= 0
 * @param totalTokens          >= prompt + completion is not required (providers count differently), >= 0
 * @param costUsd              >= 0, exact (up to 18 decimals are stored)
 * @param requestMetadataJson  a JSON object, or null
 * @param responseMetadataJson a JSON object, or null
 */
public record UsageRecord(long id, UUID requestId, long apiKeyId, long modelId, long providerId, Instant requestTimestamp,
                          long promptTokens, long completionTokens, long totalTokens, BigDecimal costUsd,
                          String requestMetadataJson, String responseMetadataJson) {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Largest metadata document per field, in characters. */
    public static final int MAX_METADATA_CHARS = 65_536;

    public UsageRecord {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(requestTimestamp, "requestTimestamp");
        requestTimestamp = requestTimestamp.truncatedTo(ChronoUnit.MICROS);
        Objects.requireNonNull(costUsd, "costUsd");
        nonNegative("promptTokens", promptTokens);
        nonNegative("completionTokens", completionTokens);
        nonNegative("totalTokens", totalTokens);
        if (costUsd.signum() < 0) {
            throw new IllegalArgumentException("costUsd must be >= 0, was " + costUsd.toPlainString());
        }
        if (costUsd.scale() > 18 || costUsd.precision() - costUsd.scale() > 10) {
            throw new IllegalArgumentException("costUsd must have at most 10 integer digits and 18 decimals, was "
                    + costUsd.toPlainString());
        }
        checkJson("requestMetadataJson", requestMetadataJson);
        checkJson("responseMetadataJson", responseMetadataJson);
    }

    /** A record to store (id 0) with a random request id, total = prompt + completion, and no metadata. */
    public static UsageRecord of(long apiKeyId, Model model, Instant at, long promptTokens, long completionTokens,
                                 BigDecimal costUsd) {
        return new UsageRecord(0, UUID.randomUUID(), apiKeyId, model.id(), model.providerId(), at, promptTokens,
                completionTokens, promptTokens + completionTokens, costUsd, null, null);
    }

    /** This record with request and response metadata (JSON objects, or null). */
    public UsageRecord withMetadata(String requestJson, String responseJson) {
        return new UsageRecord(id, requestId, apiKeyId, modelId, providerId, requestTimestamp, promptTokens,
                completionTokens, totalTokens, costUsd, requestJson, responseJson);
    }

    /** This record under the caller's own request id (e.g. the gateway's request id), for idempotent replays. */
    public UsageRecord withRequestId(UUID id) {
        return new UsageRecord(this.id, id, apiKeyId, modelId, providerId, requestTimestamp, promptTokens,
                completionTokens, totalTokens, costUsd, requestMetadataJson, responseMetadataJson);
    }

    /** This record as stored, with its database id. */
    public UsageRecord withId(long databaseId) {
        return new UsageRecord(databaseId, requestId, apiKeyId, modelId, providerId, requestTimestamp, promptTokens,
                completionTokens, totalTokens, costUsd, requestMetadataJson, responseMetadataJson);
    }

    private static void nonNegative(String field, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(field + " must be >= 0, was " + value);
        }
    }

    private static void checkJson(String field, String json) {
        if (json == null) {
            return;
        }
        if (json.length() > MAX_METADATA_CHARS) {
            throw new IllegalArgumentException(field + " must be at most " + MAX_METADATA_CHARS + " characters, was "
                    + json.length());
        }
        try {
            if (!JSON.readTree(json).isObject()) {
                throw new IllegalArgumentException(field + " must be a JSON object, was " + abbreviate(json));
            }
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(field + " must be a JSON object, was not JSON: "
                    + e.getOriginalMessage());
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
