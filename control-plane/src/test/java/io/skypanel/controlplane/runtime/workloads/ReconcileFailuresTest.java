package io.skypanel.controlplane.runtime.workloads;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.skypanel.controlplane.runtime.orchestration.OrchestrationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class ReconcileFailuresTest {

  private final Logger logger = (Logger) LoggerFactory.getLogger(ReconcileFailures.class);
  private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

  @BeforeEach
  void capture() {
    logged.start();
    logger.addAppender(logged);
  }

  @AfterEach
  void release() {
    logger.detachAppender(logged);
  }

  @Test
  void a_failure_is_logged_once_with_its_cause_again_when_its_reason_changes_and_once_on_recovery() {
    ReconcileFailures failures = new ReconcileFailures();
    UUID workload = UUID.randomUUID();
    OrchestrationException cause = new OrchestrationException("network org-x exists with driver bridge, not overlay");

    for (int sweep = 0; sweep < 5; sweep++) {
      failures.failed(workload, cause);
    }
    assertThat(logged.list).hasSize(1);
    assertThat(logged.list.get(0).getLevel()).isEqualTo(Level.WARN);
    assertThat(logged.list.get(0).getFormattedMessage()).contains(workload.toString()).contains("not overlay");
    assertThat(logged.list.get(0).getThrowableProxy()).as("logged with its cause").isNotNull();

    failures.failed(workload, new IllegalStateException("the Docker engine does not answer"));
    failures.failed(workload, new IllegalStateException("the Docker engine does not answer"));
    assertThat(logged.list).hasSize(2);

    failures.succeeded(workload);
    failures.succeeded(workload);
    assertThat(logged.list).hasSize(3);
    assertThat(logged.list.get(2).getLevel()).isEqualTo(Level.INFO);
    assertThat(logged.list.get(2).getFormattedMessage()).contains("reconciles again");

    failures.failed(workload, cause);
    assertThat(logged.list).as("failing again after a recovery is news").hasSize(4);
  }
}
