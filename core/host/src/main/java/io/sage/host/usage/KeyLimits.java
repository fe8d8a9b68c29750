package io.sage.host.usage;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A key's limits, each opt-in (null: none).
 *
 * @param keyId the key
 * @param rpm requests per minute
 * @param tpm tokens (prompt + completion) per minute
 * @param budgetTokens tokens per {@code budgetPeriod}
 * @param budgetPeriod the budget's period, set exactly when {@code budgetTokens} is
 * @param weight the key's share under saturation relative to other keys, 1..100
 */
public record KeyLimits(
    String keyId, Integer rpm, Long tpm, Long budgetTokens, BudgetPeriod budgetPeriod, int weight) {
  public static final int MAX_WEIGHT = 100;

  public KeyLimits {
    Objects.requireNonNull(keyId, "keyId");
    List<String> problems = problems(rpm, tpm, budgetTokens, budgetPeriod, weight);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
  }

  /** No limits, weight 1. */
  public static KeyLimits none(String keyId) {
    return new KeyLimits(keyId, null, null, null, null, 1);
  }

  /** Every problem with these values (empty when they are valid). */
  public static List<String> problems(
      Integer rpm, Long tpm, Long budgetTokens, BudgetPeriod budgetPeriod, int weight) {
    List<String> problems = new ArrayList<>();
    if (rpm != null && rpm < 1) {
      problems.add("rpm must be at least 1");
    }
    if (tpm != null && tpm < 1) {
      problems.add("tpm must be at least 1");
    }
    if (budgetTokens != null && budgetTokens < 1) {
      problems.add("budget tokens must be at least 1");
    }
    if ((budgetTokens == null) != (budgetPeriod == null)) {
      problems.add("a budget needs both tokens and a period (day or month)");
    }
    if (weight < 1 || weight > MAX_WEIGHT) {
      problems.add("weight must be within 1.." + MAX_WEIGHT);
    }
    return problems;
  }

  public boolean hasRateLimit() {
    return rpm != null || tpm != null;
  }

  public boolean hasBudget() {
    return budgetTokens != null;
  }

  /** The budget as the CLI writes it ({@code 1000000/day}), or null. */
  public String budgetText() {
    return budgetTokens == null ? null : budgetTokens + "/" + budgetPeriod.wireName();
  }
}
