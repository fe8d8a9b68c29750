package io.sage.host.models;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A whole set of declared models and groups, as one file or the store holds them. */
public record Declarations(List<ModelDeclaration> models, List<ModelGroup> groups) {
  public static final Declarations NONE = new Declarations(List.of(), List.of());

  public Declarations {
    models = List.copyOf(models);
    groups = List.copyOf(groups);
  }

  /**
   * Reads the {@code models:} and {@code groups:} values of a file (either may be null) and checks
   * them together; every problem names its field.
   */
  public static Declarations parse(
      Object modelsValue, Object groupsValue, Origin origin, List<String> problems) {
    Declarations read =
        new Declarations(
            DeclarationParser.models(modelsValue, origin, problems),
            DeclarationParser.groups(groupsValue, origin, problems));
    problems.addAll(read.problems(null));
    return read;
  }

  /**
   * What is wrong with the set as a whole: a name or alias that names two models, a group that is
   * not declared, and (when {@code runtimes} is given) a runtime that is not loaded.
   */
  public List<String> problems(Collection<String> runtimes) {
    List<String> problems = new ArrayList<>();
    Map<String, String> owner = new HashMap<>();
    for (ModelDeclaration d : models) {
      owner.put(d.name(), d.name());
    }
    for (ModelDeclaration d : models) {
      for (String alias : d.aliases()) {
        String other = owner.putIfAbsent(alias, d.name());
        if (other != null && !other.equals(d.name())) {
          problems.add(
              "models."
                  + d.name()
                  + ".aliases: '"
                  + alias
                  + "' already names model '"
                  + other
                  + "'; an alias names one model");
        }
      }
      if (d.group() != null && group(d.group()).isEmpty()) {
        problems.add(
            "models."
                + d.name()
                + ".group: group '"
                + d.group()
                + "' is not declared under groups:");
      }
      if (runtimes != null && !runtimes.contains(d.runtime())) {
        problems.add(
            "models."
                + d.name()
                + ".runtime: unknown runtime '"
                + d.runtime()
                + "' (loaded: "
                + String.join(", ", runtimes)
                + ")");
      }
    }
    return problems;
  }

  public Optional<ModelDeclaration> model(String name) {
    return models.stream().filter(d -> d.name().equals(name)).findFirst();
  }

  public Optional<ModelGroup> group(String name) {
    return groups.stream().filter(g -> g.name().equals(name)).findFirst();
  }

  /**
   * This set's API declarations merged with {@code file}: the file's models and groups replace
   * everything of the same name, and file declarations the file no longer names are gone.
   */
  public Declarations withFile(Declarations file) {
    Map<String, ModelDeclaration> models = new LinkedHashMap<>();
    for (ModelDeclaration d : this.models) {
      if (d.origin() == Origin.API) {
        models.put(d.name(), d);
      }
    }
    file.models.forEach(d -> models.put(d.name(), d));
    Map<String, ModelGroup> groups = new LinkedHashMap<>();
    for (ModelGroup g : this.groups) {
      if (g.origin() == Origin.API) {
        groups.put(g.name(), g);
      }
    }
    file.groups.forEach(g -> groups.put(g.name(), g));
    return new Declarations(List.copyOf(models.values()), List.copyOf(groups.values()));
  }

  /** This set with {@code model} added or replaced. */
  public Declarations with(ModelDeclaration model) {
    List<ModelDeclaration> out = new ArrayList<>(without(model.name()).models);
    out.add(model);
    return new Declarations(out, groups);
  }

  /** This set without the model of that name. */
  public Declarations without(String name) {
    return new Declarations(models.stream().filter(d -> !d.name().equals(name)).toList(), groups);
  }

  /** The model {@code asked} names (its name or an alias). */
  public Optional<ModelDeclaration> resolve(String asked) {
    for (ModelDeclaration d : models) {
      if (d.answersTo(asked)) {
        return Optional.of(d);
      }
    }
    return Optional.empty();
  }
}
