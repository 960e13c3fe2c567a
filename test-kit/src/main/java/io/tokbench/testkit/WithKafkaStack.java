package io.tokbench.testkit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives the annotated test class one real Kafka cluster and schema registry, shared by its tests
 * and torn down after them. Inject it as a {@link KafkaStack} parameter of a constructor,
 * {@code @BeforeAll}, or test method.
 *
 * <p>Where a Docker engine answers, single-broker stacks run the {@code apache/kafka} image and
 * Confluent's own {@code confluentinc/cp-schema-registry}, so the serde is checked against
 * Confluent's registry too; otherwise (and for multi-broker clusters) an in-process KRaft cluster
 * and this project's registry. Set {@code -Dtokbench.test.stack=in-process|containers} to choose.
 * Neither path ever skips: if the chosen one cannot start, the tests fail.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(KafkaStackExtension.class)
public @interface WithKafkaStack {
  /** Number of brokers, 1 to 3. */
  int brokers() default 1;
}
