package io.sage.host.models;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sage.host.store.ModelStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Declarations to and from the store's rows (each one's fields as JSON, as the file writes them).
 */
final class DeclarationRows {
  private static final Logger LOG = LoggerFactory.getLogger(DeclarationRows.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private DeclarationRows() {}

  static List<ModelStore.Row> rows(Declarations declarations, Instant now) {
    List<ModelStore.Row> rows = new ArrayList<>();
    for (ModelGroup g : declarations.groups()) {
      rows.add(new ModelStore.Row("group", g.name(), g.origin().wireName(), json(g.fields()), now));
    }
    for (ModelDeclaration d : declarations.models()) {
      rows.add(new ModelStore.Row("model", d.name(), d.origin().wireName(), json(d.fields()), now));
    }
    return rows;
  }

  /**
   * The stored declarations; a row that no longer reads (it never should: bad JSON, an unknown or
   * missing origin, fields that no longer parse) is logged, naming it, and left out, so that one
   * bad row cannot stop the gateway.
   */
  static Declarations read(List<ModelStore.Row> rows) {
    List<ModelDeclaration> models = new ArrayList<>();
    List<ModelGroup> groups = new ArrayList<>();
    for (ModelStore.Row row : rows) {
      List<String> problems = new ArrayList<>();
      if (row.name() == null || row.name().isBlank()) {
        LOG.warn("stored {} without a name (origin {}); left out", row.kind(), row.origin());
        continue;
      }
      Optional<Origin> origin = origin(row.origin());
      if (origin.isEmpty()) {
        LOG.warn(
            "stored {} {} has origin {} (known: file, api); left out",
            row.kind(),
            row.name(),
            row.origin() == null ? "null" : "'" + row.origin() + "'");
        continue;
      }
      boolean group = "group".equals(row.kind());
      if (!group && !"model".equals(row.kind())) {
        LOG.warn("stored {} {} is neither a model nor a group; left out", row.kind(), row.name());
        continue;
      }
      Object fields;
      try {
        fields = JSON.readValue(row.fields() == null ? "null" : row.fields(), Map.class);
      } catch (JsonProcessingException e) {
        LOG.error("stored {} {} is not JSON; left out: {}", row.kind(), row.name(), e.getMessage());
        continue;
      }
      if (group) {
        DeclarationParser.group(row.name(), fields, origin.get(), "stored group ", problems)
            .ifPresent(groups::add);
      } else {
        DeclarationParser.model(row.name(), fields, origin.get(), "stored model ", problems)
            .ifPresent(models::add);
      }
      if (!problems.isEmpty()) {
        LOG.error("stored {} {} left out: {}", row.kind(), row.name(), problems);
      }
    }
    return new Declarations(models, groups);
  }

  private static Optional<Origin> origin(String stored) {
    if (stored == null) {
      return Optional.empty();
    }
    for (Origin origin : Origin.values()) {
      if (origin.wireName().equals(stored.toLowerCase(Locale.ROOT))) {
        return Optional.of(origin);
      }
    }
    return Optional.empty();
  }

  static String json(Map<String, Object> fields) {
    try {
      return JSON.writeValueAsString(fields);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("declaration cannot be written as JSON", e);
    }
  }
}
