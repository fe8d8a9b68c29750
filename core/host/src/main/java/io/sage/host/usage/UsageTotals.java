package io.sage.host.usage;

import java.time.Instant;

/**
 * One row of a usage read: the group's values (null for dimensions not grouped by) and its sums.
 *
 * @param keyId the key, when grouped by key
 * @param model the model, when grouped by model
 * @param start the hour or day (UTC) the row covers, when grouped by hour or day
 */
public record UsageTotals(
    String keyId,
    String model,
    Instant start,
    long requests,
    long errors,
    long promptTokens,
    long completionTokens,
    long totalTokens) {}
