package io.sage.host.models;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sage.host.store.ModelStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
   * The stored declarations; a row that no longer reads (it never should) is logged and left out.
   */
  static Declarations read(List<ModelStore.Row> rows) {
    List<ModelDeclaration> models = new ArrayList<>();
    List<ModelGroup> groups = new ArrayList<>();
    for (ModelStore.Row row : rows) {
      List<String> problems = new ArrayList<>();
      Origin origin = Origin.valueOf(row.origin().toUpperCase(Locale.ROOT));
      Object fields;
      try {
        fields = JSON.readValue(row.fields(), Map.class);
      } catch (JsonProcessingException e) {
        LOG.error("stored {} {} is not JSON; left out: {}", row.kind(), row.name(), e.getMessage());
        continue;
      }
      if (row.kind().equals("group")) {
        DeclarationParser.group(row.name(), fields, origin, "stored group ", problems)
            .ifPresent(groups::add);
      } else {
        DeclarationParser.model(row.name(), fields, origin, "stored model ", problems)
            .ifPresent(models::add);
      }
      if (!problems.isEmpty()) {
        LOG.error("stored {} {} left out: {}", row.kind(), row.name(), problems);
      }
    }
    return new Declarations(models, groups);
  }

  static String json(Map<String, Object> fields) {
    try {
      return JSON.writeValueAsString(fields);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("declaration cannot be written as JSON", e);
    }
  }
}
