package io.tokbench.testkit;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts one {@link KafkaStack} per test class, lazily, and closes it after the class. */
public final class KafkaStackExtension implements ParameterResolver {
  private static final Logger log = LoggerFactory.getLogger(KafkaStackExtension.class);
  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(KafkaStackExtension.class);
  static final String STACK_PROPERTY = "tokbench.test.stack";

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == KafkaStack.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> testClass = context.getRequiredTestClass();
    ExtensionContext classContext = classContext(context);
    int brokers =
        AnnotationSupport.findAnnotation(testClass, WithKafkaStack.class).map(WithKafkaStack::brokers).orElse(1);
    if (brokers < 1 || brokers > 3) {
      throw new ParameterResolutionException("@WithKafkaStack(brokers = " + brokers + "): use 1 to 3 brokers");
    }
    return classContext
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(testClass.getName(), key -> new ClosingStack(start(brokers, testClass)), ClosingStack.class)
        .stack();
  }

  private static ExtensionContext classContext(ExtensionContext context) {
    ExtensionContext current = context;
    while (current.getTestMethod().isPresent() && current.getParent().isPresent()) {
      current = current.getParent().get();
    }
    return current;
  }

  static KafkaStack start(int brokers, Class<?> testClass) {
    String choice = System.getProperty(STACK_PROPERTY, "auto");
    boolean containers =
        switch (choice) {
          case "containers" -> true;
          case "in-process" -> false;
          case "auto" -> brokers == 1 && ContainerKafkaStack.dockerAvailable();
          default -> throw new IllegalArgumentException(STACK_PROPERTY + "=" + choice + ": use auto, in-process or containers");
        };
    KafkaStack stack = containers ? ContainerKafkaStack.start() : InProcessKafkaStack.start(brokers);
    log.info("{} runs on {}", testClass.getSimpleName(), stack.description());
    return stack;
  }

  /** Lets JUnit close the stack when the class's store is discarded. */
  private record ClosingStack(KafkaStack stack) implements ExtensionContext.Store.CloseableResource {
    @Override
    public void close() {
      stack.close();
    }
  }
}
