package io.tokbench.aggregator.query;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.ThreadMetadata;

/**
 * Whether this instance can serve queries. It can while Kafka Streams is RUNNING or REBALANCING
 * (during a rebalance queries are answered from the copies at hand, marked stale), unless a stream
 * thread is dead or being replaced: then it cannot be trusted to keep its tables current, and a
 * load balancer should send readers elsewhere.
 */
public final class Readiness {
  /** After a thread replacement the instance stays not ready this long, so a thread failing in a loop keeps it out. */
  static final Duration AFTER_REPLACEMENT = Duration.ofSeconds(30);
  /** Thread states of a working thread; CREATED/STARTING are a replacement (or the first start) under way. */
  private static final Set<String> WORKING = Set.of("RUNNING", "PARTITIONS_ASSIGNED", "PARTITIONS_REVOKED");

  /** The answer, and why not when not. */
  public record Status(boolean ready, String reason) {}

  private final KafkaStreams streams;
  private final Supplier<Instant> lastThreadReplacement;
  private final Clock clock;

  public Readiness(KafkaStreams streams, Supplier<Instant> lastThreadReplacement, Clock clock) {
    this.streams = streams;
    this.lastThreadReplacement = lastThreadReplacement;
    this.clock = clock;
  }

  public Status status() {
    KafkaStreams.State state = streams.state();
    if (!QueryService.queryable(state)) {
      return new Status(false, "Kafka Streams is " + state);
    }
    Instant replaced = lastThreadReplacement.get();
    if (replaced != null && replaced.plus(AFTER_REPLACEMENT).isAfter(clock.instant())) {
      return new Status(false, "a stream thread failed and was replaced at " + replaced);
    }
    Set<ThreadMetadata> threads = streams.metadataForLocalThreads();
    if (threads.isEmpty()) {
      return new Status(false, "no stream thread is alive");
    }
    for (ThreadMetadata thread : threads) {
      if (!WORKING.contains(thread.threadState())) {
        return new Status(false, "a stream thread is " + thread.threadState());
      }
    }
    return new Status(true, state == KafkaStreams.State.REBALANCING ? "rebalancing: answers may come from standby copies" : "running");
  }

  /** The Streams application stopped for good (ERROR, or shutting down after one): restart the process. */
  public boolean failed() {
    KafkaStreams.State state = streams.state();
    return state == KafkaStreams.State.ERROR || state == KafkaStreams.State.PENDING_ERROR;
  }
}
