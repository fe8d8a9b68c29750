package io.sage.engine.slurm;

import io.sage.spi.engine.EngineSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The slurm runtime's own options: each checked against a strict pattern (no shell metacharacters
 * where Slurm does not need them; values go to sbatch as arguments, never through a shell), and
 * turned into sbatch arguments. Every other option belongs to the inner runtime.
 */
final class SlurmOptions {
  static final String INNER_RUNTIME = "inner_runtime";
  static final String DEFAULT_INNER = "vllm";
  static final String EXTRA = "extra_sbatch_args";
  static final String PORT_RANGE = "port_range";
  static final String OUTPUT_DIR = "output_dir";
  static final String WORK_DIR = "work_dir";

  private static final Pattern NAMES = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
  private static final Pattern NAME_LIST =
      Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}(,[A-Za-z0-9][A-Za-z0-9_.-]{0,63}){0,15}");
  private static final Pattern TIME =
      Pattern.compile("(?i)(\\d{1,4}-)?\\d{1,6}(:\\d{1,2}){0,2}|unlimited|infinite");
  private static final Pattern CONSTRAINT = Pattern.compile("[A-Za-z0-9_.,&|*\\[\\]:-]{1,256}");
  private static final Pattern MEMORY = Pattern.compile("\\d{1,9}[KMGTkmgt]?");
  private static final Pattern COUNT = Pattern.compile("\\d{1,4}");
  private static final Pattern RUNTIME = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");
  private static final Pattern PATH = Pattern.compile("/[A-Za-z0-9_./-]{0,255}");
  private static final Pattern RANGE = Pattern.compile("(\\d{4,5})-(\\d{4,5})");
  private static final Pattern NODES = Pattern.compile("[A-Za-z0-9_.,\\[\\]-]{1,256}");

  /** The sbatch flags {@code extra_sbatch_args} may carry, with the pattern of their value. */
  static final Map<String, Pattern> EXTRA_ALLOWED = extraAllowed();

  /** Option name → the sbatch flag it becomes. */
  private static final Map<String, String> FLAGS =
      Map.of(
          "partition", "--partition",
          "account", "--account",
          "qos", "--qos",
          "time_limit", "--time",
          "constraint", "--constraint",
          "cpus_per_task", "--cpus-per-task",
          "mem", "--mem");

  static final Set<String> NAMES_OF_OPTIONS =
      Set.of(
          "partition",
          "account",
          "qos",
          "time_limit",
          "constraint",
          "cpus_per_task",
          "mem",
          EXTRA,
          INNER_RUNTIME,
          PORT_RANGE,
          OUTPUT_DIR,
          WORK_DIR);

  private SlurmOptions() {}

  private static Map<String, Pattern> extraAllowed() {
    Map<String, Pattern> allowed = new LinkedHashMap<>();
    allowed.put("--exclusive", null);
    allowed.put("--requeue", null);
    allowed.put("--no-requeue", null);
    allowed.put("--contiguous", null);
    allowed.put("--nice", Pattern.compile("\\d{1,5}"));
    allowed.put("--reservation", NAMES);
    allowed.put("--nodelist", NODES);
    allowed.put("--exclude", NODES);
    allowed.put("--wckey", NAMES);
    allowed.put("--licenses", Pattern.compile("[A-Za-z0-9_.:,@-]{1,128}"));
    allowed.put("--mem-per-gpu", MEMORY);
    allowed.put("--tmp", MEMORY);
    allowed.put("--mail-type", Pattern.compile("[A-Z_,0-9]{1,128}"));
    allowed.put("--mail-user", Pattern.compile("[A-Za-z0-9_.+-]{1,64}@[A-Za-z0-9.-]{1,128}"));
    allowed.put("--hint", Pattern.compile("[a-z_]{1,32}"));
    return java.util.Collections.unmodifiableMap(allowed);
  }

  /** Every problem with the slurm options of the spec, each naming the field. */
  static List<String> problems(EngineSpec spec) {
    List<String> problems = new ArrayList<>();
    Map<String, String> o = spec.options();
    check(problems, o, "partition", NAME_LIST, "a partition name (or a comma-separated list)");
    check(problems, o, "account", NAMES, "an account name");
    check(problems, o, "qos", NAMES, "a QOS name");
    check(problems, o, "time_limit", TIME, "a Slurm time (minutes, [D-]HH:MM:SS, or UNLIMITED)");
    check(
        problems,
        o,
        "constraint",
        CONSTRAINT,
        "a Slurm feature expression (letters, digits, _ . , & | * [ ] : -)");
    check(problems, o, "mem", MEMORY, "a memory size such as 16G");
    check(problems, o, OUTPUT_DIR, PATH, "an absolute path (letters, digits, _ . / -)");
    check(problems, o, WORK_DIR, PATH, "an absolute path (letters, digits, _ . / -)");
    check(problems, o, INNER_RUNTIME, RUNTIME, "a runtime name such as vllm or mock");
    String cpus = o.get("cpus_per_task");
    if (cpus != null
        && (!COUNT.matcher(cpus).matches()
            || Integer.parseInt(cpus) < 1
            || Integer.parseInt(cpus) > 4096)) {
      problems.add("cpus_per_task must be a whole number between 1 and 4096, got '" + cpus + "'");
    }
    String range = o.get(PORT_RANGE);
    if (range != null && portRange(range) == null) {
      problems.add(
          "port_range must be FIRST-LAST with 1024 <= FIRST <= LAST <= 65535, got '" + range + "'");
    }
    String inner = o.get(INNER_RUNTIME);
    if (inner != null && (inner.equals(SlurmRuntimeFactory.KIND) || inner.equals("remote"))) {
      problems.add("inner_runtime must be a runtime that launches a process, not '" + inner + "'");
    }
    String extra = o.get(EXTRA);
    if (extra != null) {
      for (String arg : extra.trim().split("\\s+")) {
        if (!arg.isEmpty()) {
          extraProblem(arg).ifPresent(problems::add);
        }
      }
    }
    return problems;
  }

  private static java.util.Optional<String> extraProblem(String arg) {
    int eq = arg.indexOf('=');
    String flag = eq < 0 ? arg : arg.substring(0, eq);
    if (!EXTRA_ALLOWED.containsKey(flag)) {
      return java.util.Optional.of(
          "extra_sbatch_args: '"
              + arg
              + "' is not allowed; allowed flags: "
              + String.join(", ", new java.util.TreeSet<>(EXTRA_ALLOWED.keySet()))
              + " (partition, account, qos, time_limit, constraint, cpus_per_task and mem have"
              + " options of their own)");
    }
    Pattern value = EXTRA_ALLOWED.get(flag);
    if (value == null && eq >= 0) {
      return java.util.Optional.of("extra_sbatch_args: '" + flag + "' takes no value");
    }
    if (value != null && (eq < 0 || !value.matcher(arg.substring(eq + 1)).matches())) {
      return java.util.Optional.of(
          "extra_sbatch_args: '" + arg + "' needs a value of the form " + flag + "=" + value);
    }
    return java.util.Optional.empty();
  }

  private static void check(
      List<String> problems, Map<String, String> o, String name, Pattern pattern, String what) {
    String value = o.get(name);
    if (value != null && !pattern.matcher(value).matches()) {
      problems.add(name + " must be " + what + ", got '" + value + "'");
    }
  }

  /** [first, last] of a valid range, else null. */
  static int[] portRange(String range) {
    var m = RANGE.matcher(range);
    if (!m.matches()) {
      return null;
    }
    int first = Integer.parseInt(m.group(1));
    int last = Integer.parseInt(m.group(2));
    return first >= 1024 && first <= last && last <= 65535 ? new int[] {first, last} : null;
  }

  /** The sbatch arguments for the options, the GPUs and the extra flags (spec already valid). */
  static List<String> sbatchArgs(EngineSpec spec) {
    List<String> args = new ArrayList<>();
    for (String name : List.of("partition", "account", "qos", "time_limit", "constraint")) {
      String value = spec.options().get(name);
      if (value != null) {
        args.add(FLAGS.get(name) + "=" + value);
      }
    }
    for (String name : List.of("cpus_per_task", "mem")) {
      String value = spec.options().get(name);
      if (value != null) {
        args.add(FLAGS.get(name) + "=" + value);
      }
    }
    if (spec.useGpu()) {
      args.add("--gres=gpu:" + spec.tensorParallelSize());
    }
    String extra = spec.options().get(EXTRA);
    if (extra != null) {
      for (String arg : extra.trim().split("\\s+")) {
        if (!arg.isEmpty()) {
          args.add(arg);
        }
      }
    }
    return args;
  }
}
