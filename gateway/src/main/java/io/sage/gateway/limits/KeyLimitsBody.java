package io.sage.gateway.limits;

import io.sage.gateway.json.JsonBody;
import io.sage.host.usage.BudgetPeriod;
import io.sage.host.usage.KeyLimits;
import io.sage.spi.SageException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The limit fields of a key body ({@code rpm}, {@code tpm}, {@code budget} as {@code "1000000/day"}
 * or {@code "/month"}, {@code weight}) and their view; every problem at once.
 */
public final class KeyLimitsBody {
  private static final Pattern BUDGET = Pattern.compile("(\\d{1,15})\\s*/\\s*(day|month)");

  private KeyLimitsBody() {}

  /** The limits the body asks for, for {@code keyId}; a 400 naming every bad field. */
  public static KeyLimits parse(JsonBody body, String keyId) {
    Integer rpm = body.integer("rpm");
    Integer tpm = body.integer("tpm");
    String budget = body.string("budget");
    Integer weight = body.integer("weight");
    body.throwIfInvalid();
    List<String> problems = new ArrayList<>();
    Long budgetTokens = null;
    BudgetPeriod period = null;
    if (budget != null) {
      Matcher m = BUDGET.matcher(budget.trim());
      if (m.matches()) {
        budgetTokens = Long.parseLong(m.group(1));
        period = BudgetPeriod.parse(m.group(2));
      } else {
        problems.add("budget must be TOKENS/day or TOKENS/month, e.g. 1000000/day");
      }
    }
    int w = weight == null ? 1 : weight;
    problems.addAll(
        KeyLimits.problems(rpm, tpm == null ? null : tpm.longValue(), budgetTokens, period, w));
    if (!problems.isEmpty()) {
      throw SageException.invalid(null, "invalid key limits: " + String.join("; ", problems));
    }
    return new KeyLimits(keyId, rpm, tpm == null ? null : tpm.longValue(), budgetTokens, period, w);
  }

  /** The limits as the keys API shows them. */
  public static Map<String, Object> view(KeyLimits limits) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("rpm", limits.rpm());
    view.put("tpm", limits.tpm());
    view.put("budget", limits.budgetText());
    view.put("weight", limits.weight());
    return view;
  }

  /** One line for the audit log. */
  public static String describe(KeyLimits limits) {
    return "rpm "
        + (limits.rpm() == null ? "none" : limits.rpm())
        + ", tpm "
        + (limits.tpm() == null ? "none" : limits.tpm())
        + ", budget "
        + (limits.budgetText() == null ? "none" : limits.budgetText())
        + ", weight "
        + limits.weight();
  }
}
