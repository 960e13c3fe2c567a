package io.tokbench.deploy.images;

/** What the poms say, for tests outside this package. */
public final class PomProperties {
  private PomProperties() {}

  public static String get(String property) throws Exception {
    return ImageDefinition.property(property);
  }

  public static String projectVersion() throws Exception {
    return ImageDefinition.projectVersion();
  }

  /** The user the images run as, "uid:gid". */
  public static String imageUser() throws Exception {
    return ImageDefinition.of("stream-aggregator").user();
  }
}
