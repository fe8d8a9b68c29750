package io.sage.engine.slurm;

import static org.assertj.core.api.Assertions.assertThat;

import io.sage.spi.job.JobPhase;
import io.sage.spi.job.JobStatus;
import org.junit.jupiter.api.Test;

class SlurmJobInfoTest {
  static final String PENDING =
      "JobId=2 JobName=sage-eng-1 UserId=root(0) GroupId=root(0) MCS_label=N/A Priority=1"
          + " Account=(null) QOS=(null) JobState=PENDING Reason=Resources Dependency=(null)"
          + " ExitCode=0:0 NodeList= Comment=(null) StdOut=/tmp/b.out TresPerNode=gres:gpu:1";

  @Test
  void aPendingJobIsQueuedWithSlurmsReason() {
    JobStatus s = SlurmJobInfo.status(PENDING, "sage-eng-1");
    assertThat(s.phase()).isEqualTo(JobPhase.QUEUED);
    assertThat(s.schedulerState()).isEqualTo("PENDING");
    assertThat(s.reason()).isEqualTo("Resources");
    assertThat(s.hasEndpoint()).isFalse();
  }

  @Test
  void aRunningJobReportsItsEndpointInTheComment() {
    String line =
        PENDING
            .replace("JobState=PENDING Reason=Resources", "JobState=RUNNING Reason=None")
            .replace("Comment=(null)", "Comment=sage-endpoint=node-3.cluster:21139");
    JobStatus s = SlurmJobInfo.status(line, "sage-eng-1");
    assertThat(s.phase()).isEqualTo(JobPhase.RUNNING);
    assertThat(s.reason()).isEmpty();
    assertThat(s.endpointHost()).isEqualTo("node-3.cluster");
    assertThat(s.endpointPort()).isEqualTo(21139);
  }

  @Test
  void endedStatesAndForeignJobs() {
    for (String state :
        new String[] {
          "FAILED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY", "PREEMPTED", "CANCELLED"
        }) {
      JobStatus s =
          SlurmJobInfo.status(
              PENDING.replace("JobState=PENDING", "JobState=" + state).replace("0:0", "1:0"),
              "sage-eng-1");
      assertThat(s.phase()).as(state).isEqualTo(JobPhase.ENDED);
      assertThat(s.exitCode()).isEqualTo("1:0");
    }
    assertThat(SlurmJobInfo.status(PENDING, "sage-eng-2").phase()).isEqualTo(JobPhase.GONE);
  }
}
