package io.tokbench.registry.server;

import io.tokbench.registry.RegistryError;

/** A request the registry refuses, carrying Confluent's error code; becomes a JSON error body. */
final class RegistryProblem extends RuntimeException {
  private final int errorCode;

  RegistryProblem(int errorCode, String message) {
    super(message);
    this.errorCode = errorCode;
  }

  int errorCode() {
    return errorCode;
  }

  int httpStatus() {
    return RegistryError.httpStatus(errorCode);
  }

  static RegistryProblem subjectNotFound(String subject) {
    return new RegistryProblem(RegistryError.SUBJECT_NOT_FOUND, "Subject '" + subject + "' not found.");
  }

  static RegistryProblem versionNotFound(String version) {
    return new RegistryProblem(RegistryError.VERSION_NOT_FOUND, "Version " + version + " not found.");
  }

  static RegistryProblem schemaNotFound() {
    return new RegistryProblem(RegistryError.SCHEMA_NOT_FOUND, "Schema not found");
  }

  static RegistryProblem invalidVersion(String version) {
    return new RegistryProblem(
        RegistryError.INVALID_VERSION,
        "The specified version '" + version + "' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"");
  }
}
