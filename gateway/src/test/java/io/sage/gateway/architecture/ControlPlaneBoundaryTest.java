package io.sage.gateway.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The gateway reaches the control plane through the {@code io.sage.host.ControlPlane} facade and
 * value types only: no registry entries, supervision parts, port allocator, process launcher,
 * process table, plugin host or manager. A new dependency on core/host must be a value type added
 * to {@link #VALUE_TYPES} on purpose, or go through the facade.
 */
class ControlPlaneBoundaryTest {
  /** What crosses the boundary besides the classes of package {@code io.sage.host} itself. */
  static final Set<String> VALUE_TYPES =
      Set.of(
          "io.sage.host.engine.EngineRecord",
          "io.sage.host.engine.Lifecycle",
          "io.sage.host.engine.Placement",
          "io.sage.host.engine.ProcessIdentity",
          "io.sage.host.engine.Health",
          "io.sage.host.engine.EngineState",
          "io.sage.host.engine.DesiredState",
          "io.sage.host.engine.EngineEvent",
          "io.sage.host.engine.EngineListener",
          "io.sage.host.engine.ProbeObserver",
          "io.sage.host.engine.PlannedStop",
          "io.sage.host.management.StartRequest",
          "io.sage.host.management.RegisterRequest",
          "io.sage.host.management.SelfAddresses",
          "io.sage.host.plugin.PluginInfo",
          "io.sage.host.cluster.Node",
          "io.sage.host.cluster.NodeGpu",
          "io.sage.host.cluster.NodeState",
          // management from any node and the leader (issue 22): values of the Cluster facade
          "io.sage.host.cluster.ClusterEngine",
          "io.sage.host.cluster.CommandAction",
          "io.sage.host.cluster.CommandState",
          "io.sage.host.cluster.EngineCommand",
          "io.sage.host.cluster.LeaderLease",
          "io.sage.host.supervision.SupervisionConfig",
          // declared models (issue 16): values and the strict parser the config file shares
          "io.sage.host.models.Declarations",
          "io.sage.host.models.DeclarationParser",
          "io.sage.host.models.ModelDeclaration",
          "io.sage.host.models.ModelGroup",
          "io.sage.host.models.ModelPlan",
          "io.sage.host.models.ModelStatus",
          "io.sage.host.models.ModelState",
          "io.sage.host.models.Origin",
          "io.sage.host.models.ModelBusyException",
          // the declared models' engines: this node's, or the cluster's (issue 22), wired once
          "io.sage.host.models.Replicas");

  /**
   * Packages of core/host that are ports and values by design: the stores db implements and the
   * values they hold (audit entries, sessions and their messages, stored API keys, usage records
   * and key limits).
   */
  static final Set<String> VALUE_PACKAGES =
      Set.of(
          "io.sage.host.store",
          "io.sage.host.audit",
          "io.sage.host.session",
          "io.sage.host.security",
          "io.sage.host.usage");

  static final DescribedPredicate<JavaClass> HOST_INTERNAL =
      new DescribedPredicate<>(
          "are core/host internals (neither the facade, a value type nor a port)") {
        @Override
        public boolean test(JavaClass type) {
          JavaClass outer = type;
          while (outer.getEnclosingClass().isPresent()) {
            outer = outer.getEnclosingClass().get();
          }
          String name = outer.getName();
          String pkg = outer.getPackageName();
          return pkg.startsWith("io.sage.host")
              && !pkg.equals("io.sage.host")
              && !VALUE_PACKAGES.contains(pkg)
              && !VALUE_TYPES.contains(name);
        }
      };

  static final ArchRule GATEWAY_USES_THE_FACADE =
      noClasses()
          .that()
          .resideInAPackage("io.sage.gateway..")
          .should()
          .dependOnClassesThat(HOST_INTERNAL)
          .because("the gateway goes through the ControlPlane facade (docs/architecture.md)");

  @Test
  void theGatewayImportsOnlyTheFacadeAndValueTypesOfCoreHost() {
    JavaClasses gateway =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.sage.gateway");
    GATEWAY_USES_THE_FACADE.check(gateway);
  }
}
