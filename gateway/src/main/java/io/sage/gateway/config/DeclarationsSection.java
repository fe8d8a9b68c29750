package io.sage.gateway.config;

import io.sage.host.models.DeclarationParser;
import io.sage.host.models.Origin;
import java.util.List;
import java.util.Map;

/**
 * The {@code models:} and {@code groups:} sections (issue 16, docs/models.md): declarations, not
 * settings, so they set no gateway property; the gateway reads them from the file itself ({@link
 * ModelsFile}). Checked here, so a bad declaration refuses the whole file like a bad setting; what
 * needs both sections (aliases naming two models, undeclared groups) is checked by {@link
 * ConfigFile} once both are read.
 */
final class DeclarationsSection implements ConfigSection {
  static final DeclarationsSection MODELS = new DeclarationsSection("models");
  static final DeclarationsSection GROUPS = new DeclarationsSection("groups");

  private final String name;

  private DeclarationsSection(String name) {
    this.name = name;
  }

  @Override
  public String name() {
    return name;
  }

  /** No flat keys: each entry is a declaration (docs/models.md lists their fields). */
  @Override
  public Map<String, String> defaults() {
    return Map.of();
  }

  @Override
  public void read(Object value, Map<String, Object> properties, List<String> problems) {
    if (name.equals("models")) {
      DeclarationParser.models(value, Origin.FILE, problems);
    } else {
      DeclarationParser.groups(value, Origin.FILE, problems);
    }
  }
}
