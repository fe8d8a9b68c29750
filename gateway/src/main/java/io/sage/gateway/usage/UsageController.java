package io.sage.gateway.usage;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.sage.gateway.limits.BudgetLedger;
import io.sage.gateway.limits.KeyLimitBook;
import io.sage.gateway.security.Actors;
import io.sage.host.store.UsageStore;
import io.sage.host.usage.KeyLimits;
import io.sage.host.usage.UsageQuery;
import io.sage.host.usage.UsageRecord;
import io.sage.host.usage.UsageTotals;
import io.sage.spi.SageException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Usage reads, from the hourly roll-ups: {@code GET /v1/management/usage} (admin: any key) and
 * {@code GET /v1/usage} (the calling key's own usage, with its limits and what its budget has
 * left).
 */
@Controller
@ExecuteOn(TaskExecutors.BLOCKING)
class UsageController {
  private final UsageStore store;
  private final KeyLimitBook limits;
  private final BudgetLedger budgets;
  private final Clock clock;

  UsageController(UsageStore store, KeyLimitBook limits, BudgetLedger budgets, Clock clock) {
    this.store = store;
    this.limits = limits;
    this.budgets = budgets;
    this.clock = clock;
  }

  @Get("/v1/management/usage")
  Map<String, Object> usage(
      @QueryValue @Nullable String key,
      @QueryValue @Nullable String model,
      @QueryValue @Nullable String from,
      @QueryValue @Nullable String to,
      @QueryValue("group_by") @Nullable String groupBy) {
    return read(UsageParams.parse(clock.instant(), key, model, from, to, groupBy));
  }

  /** The newest raw rows (what was recorded per request), newest first. */
  @Get("/v1/management/usage/records")
  Map<String, Object> records(@QueryValue @Nullable Integer limit) {
    int n = limit == null ? 100 : limit;
    if (n < 1 || n > 10_000) {
      throw SageException.invalid("limit", "limit must be within 1..10000, got " + n);
    }
    List<Map<String, Object>> rows = new ArrayList<>();
    for (UsageRecord r : store.recent(n)) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("at", r.at().toString());
      row.put("key_id", r.keyId());
      row.put("model", r.model());
      row.put("engine_id", r.engineId());
      row.put("route", r.route());
      row.put("status", r.status());
      row.put("prompt_tokens", r.promptTokens());
      row.put("completion_tokens", r.completionTokens());
      row.put("total_tokens", r.totalTokens());
      row.put("ttfb_ms", r.ttfbMillis() < 0 ? null : r.ttfbMillis());
      row.put("duration_ms", r.durationMillis());
      rows.add(row);
    }
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("object", "list");
    answer.put("data", rows);
    return answer;
  }

  @Get("/v1/usage")
  Map<String, Object> own(
      HttpRequest<?> request,
      @QueryValue @Nullable String model,
      @QueryValue @Nullable String from,
      @QueryValue @Nullable String to,
      @QueryValue("group_by") @Nullable String groupBy) {
    String key = Actors.of(request);
    UsageQuery query = UsageParams.parse(clock.instant(), key, model, from, to, groupBy);
    if (query.groupBy().contains(UsageQuery.Dimension.KEY)) {
      throw SageException.invalid(
          "group_by", "a key reads only its own usage: group by model, hour or day");
    }
    Map<String, Object> answer = read(query);
    answer.put("key_id", key);
    answer.put("limits", limitsView(key));
    return answer;
  }

  private Map<String, Object> read(UsageQuery query) {
    List<Map<String, Object>> rows = new ArrayList<>();
    long requests = 0;
    long errors = 0;
    long prompt = 0;
    long completion = 0;
    for (UsageTotals t : store.query(query)) {
      rows.add(row(t, query.groupBy()));
      requests += t.requests();
      errors += t.errors();
      prompt += t.promptTokens();
      completion += t.completionTokens();
    }
    Map<String, Object> totals = new LinkedHashMap<>();
    totals.put("requests", requests);
    totals.put("errors", errors);
    totals.put("prompt_tokens", prompt);
    totals.put("completion_tokens", completion);
    totals.put("total_tokens", prompt + completion);
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("object", "usage");
    answer.put("from", query.from().toString());
    answer.put("to", query.to().toString());
    answer.put(
        "group_by",
        query.groupBy().stream().map(d -> d.name().toLowerCase(java.util.Locale.ROOT)).toList());
    answer.put("data", rows);
    answer.put("totals", totals);
    return answer;
  }

  private static Map<String, Object> row(UsageTotals t, List<UsageQuery.Dimension> groupBy) {
    Map<String, Object> row = new LinkedHashMap<>();
    for (UsageQuery.Dimension d : groupBy) {
      switch (d) {
        case KEY -> row.put("key_id", t.keyId());
        case MODEL -> row.put("model", t.model());
        case HOUR -> row.put("hour", t.start().toString());
        case DAY -> row.put("day", t.start().toString().substring(0, 10));
      }
    }
    row.put("requests", t.requests());
    row.put("errors", t.errors());
    row.put("prompt_tokens", t.promptTokens());
    row.put("completion_tokens", t.completionTokens());
    row.put("total_tokens", t.totalTokens());
    return row;
  }

  private Map<String, Object> limitsView(String key) {
    KeyLimits l = limits.of(key);
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("rpm", l.rpm());
    view.put("tpm", l.tpm());
    view.put("weight", l.weight());
    if (l.hasBudget()) {
      long spent = budgets.spent(key, l.budgetPeriod(), clock.millis());
      Map<String, Object> budget = new LinkedHashMap<>();
      budget.put("tokens", l.budgetTokens());
      budget.put("period", l.budgetPeriod().wireName());
      budget.put("spent", spent);
      budget.put("remaining", Math.max(0, l.budgetTokens() - spent));
      budget.put("renews_at", budgets.periodEnd(l.budgetPeriod()).toString());
      view.put("budget", budget);
    } else {
      view.put("budget", null);
    }
    return view;
  }
}
