package io.tokbench.deploy.security;

import io.tokbench.aggregator.topology.Topics;
import io.tokbench.registry.server.SchemaRegistryServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Who may do what on the cluster, in one place: the Kubernetes manifests grant exactly these (a
 * test compares them) and the security tests apply them to a real broker.
 *
 * <ul>
 *   <li>A contributor may append reports and nothing else: no reading anyone's reports, no
 *       writing the tables.</li>
 *   <li>The aggregator reads its inputs, writes its outputs and internal topics, owns its
 *       consumer group and transactional ids, and writes retractions for the admin API.</li>
 *   <li>An operator may publish retractions.</li>
 *   <li>The schema registry owns its {@code _schemas} topic.</li>
 * </ul>
 */
public final class AclModel {
  private static final String REPORTS = Topics.REPORTS;
  private static final String RETRACTIONS = Topics.RETRACTIONS;
  private static final String CALIBRATION = Topics.CALIBRATION;

  /** Bytes per second one contributor may produce, and its share of broker request time (%). */
  public static final Map<String, Double> CONTRIBUTOR_QUOTA = Map.of("producer_byte_rate", 102_400.0, "request_percentage", 10.0);

  private AclModel() {}

  public static List<AclBinding> contributor(String user) {
    return topic(user, REPORTS, PatternType.LITERAL, AclOperation.WRITE, AclOperation.DESCRIBE);
  }

  public static List<AclBinding> aggregator(String user, String applicationId) {
    List<AclBinding> acls = new ArrayList<>();
    for (String input : List.of(REPORTS, RETRACTIONS, CALIBRATION)) {
      acls.addAll(topic(user, input, PatternType.LITERAL, AclOperation.READ, AclOperation.DESCRIBE));
    }
    for (String output : List.of(Topics.REJECTED, Topics.STATS, Topics.COMMUNITY, CALIBRATION, RETRACTIONS)) {
      acls.addAll(topic(user, output, PatternType.LITERAL, AclOperation.WRITE));
    }
    for (String internal : List.of(Topics.CONTRIBUTIONS, Topics.CALIBRATION_POINTS, Topics.GPU_RIG_PRESENCE, Topics.GPU_RIGS)) {
      acls.addAll(topic(user, internal, PatternType.LITERAL, AclOperation.READ, AclOperation.WRITE, AclOperation.DESCRIBE));
    }
    // Kafka Streams' changelog topics are named "<application.id>-<store>-changelog".
    acls.addAll(topic(user, applicationId + "-", PatternType.PREFIXED, AclOperation.ALL));
    acls.add(allow(user, new ResourcePattern(ResourceType.GROUP, applicationId, PatternType.PREFIXED), AclOperation.READ));
    acls.add(allow(user, new ResourcePattern(ResourceType.TRANSACTIONAL_ID, applicationId, PatternType.PREFIXED), AclOperation.WRITE));
    acls.add(allow(user, new ResourcePattern(ResourceType.TRANSACTIONAL_ID, applicationId, PatternType.PREFIXED), AclOperation.DESCRIBE));
    acls.add(allow(user, new ResourcePattern(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL), AclOperation.IDEMPOTENT_WRITE));
    return acls;
  }

  public static List<AclBinding> operator(String user) {
    return topic(user, RETRACTIONS, PatternType.LITERAL, AclOperation.WRITE, AclOperation.DESCRIBE);
  }

  public static List<AclBinding> schemaRegistry(String user) {
    List<AclBinding> acls = new ArrayList<>(topic(user, SchemaRegistryServer.Config.DEFAULT_TOPIC, PatternType.LITERAL, AclOperation.ALL));
    acls.add(allow(user, new ResourcePattern(ResourceType.GROUP, "schema-registry", PatternType.PREFIXED), AclOperation.READ));
    return acls;
  }

  private static List<AclBinding> topic(String user, String name, PatternType pattern, AclOperation... operations) {
    List<AclBinding> acls = new ArrayList<>();
    for (AclOperation operation : operations) {
      acls.add(allow(user, new ResourcePattern(ResourceType.TOPIC, name, pattern), operation));
    }
    return acls;
  }

  private static AclBinding allow(String user, ResourcePattern resource, AclOperation operation) {
    return new AclBinding(resource, new AccessControlEntry("User:" + user, "*", operation, AclPermissionType.ALLOW));
  }
}
