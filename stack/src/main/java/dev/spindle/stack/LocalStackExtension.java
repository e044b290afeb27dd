package dev.spindle.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension giving tests the real local stack: started once per test JVM on free ports
 * in a temporary directory, stopped when the JVM's tests are done. Declare
 * {@code @ExtendWith(LocalStackExtension.class)} and take a {@link LocalStack} parameter.
 */
public final class LocalStackExtension implements BeforeAllCallback, ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(LocalStackExtension.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    stack(context);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == LocalStack.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return stack(context);
  }

  private static LocalStack stack(ExtensionContext context) {
    return context.getRoot().getStore(NAMESPACE)
        .getOrComputeIfAbsent("stack", key -> new StackResource(), StackResource.class).stack;
  }

  /** Closes the stack when the root context (all tests of this JVM) is done. */
  private static final class StackResource implements ExtensionContext.Store.CloseableResource {
    private final LocalStack stack;

    StackResource() {
      try {
        stack = LocalStack.start(StackConfig.ephemeral(Files.createTempDirectory("spindle-stack")));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void close() {
      stack.close();
    }
  }
}
