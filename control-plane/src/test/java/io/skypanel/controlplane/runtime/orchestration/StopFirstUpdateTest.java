package io.skypanel.controlplane.runtime.orchestration;

import com.github.dockerjava.api.model.ServiceSpec;
import com.github.dockerjava.api.model.UpdateOrder;
import io.skypanel.common.docker.Labels;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Services whose tasks must never overlap (an add-on on its one volume) are updated and rolled back stop-first. */
class StopFirstUpdateTest {

  private static final ServiceSpecFactory FACTORY = new ServiceSpecFactory(ServiceSpecFactory.Rollout.DEFAULT, false);

  private static ServiceSpec spec(Map<String, String> labels) {
    return FACTORY.build(new DesiredService("addon-1", labels, "postgres:15", null, null, Map.of(), List.of(), List.of(), null, 0.5, 256, 1,
        "any", 30, new DesiredService.TierSpec("addon", List.of(), false, 0, List.of()), List.of("net-1"), null));
  }

  @Test
  void a_service_labelled_stop_first_is_updated_and_rolled_back_stop_first() {
    ServiceSpec spec = spec(Map.of(Labels.UPDATE_ORDER, Labels.STOP_FIRST));
    assertThat(spec.getUpdateConfig().getOrder()).isEqualTo(UpdateOrder.STOP_FIRST);
    assertThat(spec.getRollbackConfig().getOrder()).isEqualTo(UpdateOrder.STOP_FIRST);
  }

  @Test
  void other_services_keep_start_first_updates() {
    ServiceSpec spec = spec(Map.of(Labels.ORG, "o1"));
    assertThat(spec.getUpdateConfig().getOrder()).isEqualTo(UpdateOrder.START_FIRST);
  }
}
