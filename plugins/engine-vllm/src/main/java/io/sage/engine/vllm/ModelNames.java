package io.sage.engine.vllm;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What vLLM may be asked to load and serve. A model is a Hugging Face id ({@code org/name} or
 * {@code name}) or a local path (starting with '/' or '.'); {@code ~} is refused because no shell
 * expands it. Names travel as single argv entries, so the danger is not a shell but argparse: a
 * leading '-' would turn a name into a flag.
 */
final class ModelNames {
  private static final Pattern HUB_ID =
      Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?");
  private static final int MAX_LENGTH = 1024;

  private ModelNames() {}

  static List<String> problems(String model, String servedModelName) {
    List<String> problems = new ArrayList<>();
    problems.addAll(modelProblems(model));
    if (servedModelName.startsWith("-")) {
      problems.add("served_model_name must not start with '-'");
    }
    if (servedModelName.isBlank() || VllmArguments.hasControlCharacter(servedModelName)) {
      problems.add("served_model_name must be non-blank and free of control characters");
    }
    return problems;
  }

  private static List<String> modelProblems(String model) {
    if (model.isBlank()) {
      return List.of("model must not be blank");
    }
    if (model.length() > MAX_LENGTH) {
      return List.of("model is longer than " + MAX_LENGTH + " characters");
    }
    if (VllmArguments.hasControlCharacter(model)) {
      return List.of("model must not contain control characters");
    }
    if (model.startsWith("-")) {
      return List.of("model must not start with '-': '" + model + "'");
    }
    if (model.chars().anyMatch(Character::isWhitespace)) {
      return List.of("model must not contain whitespace: '" + model + "'");
    }
    if (model.startsWith("~")) {
      return List.of(
          "model '"
              + model
              + "' starts with '~', which no shell expands here: give"
              + " an absolute path");
    }
    if (model.startsWith("/") || model.startsWith(".")) {
      return List.of();
    }
    if (!HUB_ID.matcher(model).matches() || model.contains("..")) {
      return List.of(
          "model '"
              + model
              + "' is neither a Hugging Face id (org/name) nor a local"
              + " path starting with '/' or '.'");
    }
    return List.of();
  }
}
