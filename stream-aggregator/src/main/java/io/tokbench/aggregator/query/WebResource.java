package io.tokbench.aggregator.query;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.staticfiles.Location;
import io.tokbench.catalog.GpuCatalog;
import io.tokbench.catalog.ModelCatalog;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The web page (plain HTML, CSS and ES modules from the jar: no build toolchain, no CDN) and the
 * OpenAPI description. The page routes on its path; a model or GPU page for an id nobody reported
 * and no catalog knows answers 404 (the page shows its not-found view).
 */
final class WebResource {
  private static final String HTML = "text/html; charset=utf-8";
  /** Bundled files never change while the process runs: read each once. */
  private static final Map<String, byte[]> RESOURCES = new ConcurrentHashMap<>();

  private final QueryService queries;

  WebResource(QueryService queries) {
    this.queries = queries;
  }

  void setup(JavalinConfig config, Deadline deadline) {
    config.staticFiles.add(files -> {
      files.hostedPath = "/static";
      files.directory = "/web/static";
      files.location = Location.CLASSPATH;
      files.headers = Map.of("Cache-Control", "no-cache"); // revalidated with the ETag, so a new release shows at once
    });
    for (String page : List.of("/", "/index.html", "/models", "/gpus")) {
      config.routes.get(page, ctx -> page(ctx, 200));
    }
    config.routes.get("/models/<model>", deadline.wrap(ctx -> page(ctx, modelKnown(Params.id("model", ctx.pathParam("model"))) ? 200 : 404)));
    config.routes.get("/gpus/<gpu>", deadline.wrap(ctx -> page(ctx, gpuKnown(Params.id("gpu", ctx.pathParam("gpu"))) ? 200 : 404)));
    config.routes.get("/api/v1/openapi.json", ctx -> ctx.contentType(Answers.JSON_TYPE).result(resource("/openapi.json")));
  }

  private static void page(Context ctx, int status) {
    ctx.status(status).header("Cache-Control", "no-cache").contentType(HTML).result(resource("/web/index.html"));
  }

  /** Known to the catalog or reported; while the tables move, assumed known (the page retries). */
  private boolean modelKnown(String model) {
    if (ModelCatalog.shared().byId(model).isPresent()) {
      return true;
    }
    try {
      return !queries.stats(StatsFilter.from(Map.of("model", model)), new Freshness()).isEmpty();
    } catch (NotReadyException moving) {
      return true;
    }
  }

  private boolean gpuKnown(String gpu) {
    if (GpuCatalog.shared().byId(gpu).isPresent() || gpu.equals("cpu")) {
      return true;
    }
    try {
      return !queries.stats(StatsFilter.from(Map.of("gpu", gpu)), new Freshness()).isEmpty();
    } catch (NotReadyException moving) {
      return true;
    }
  }

  static byte[] resource(String name) {
    return RESOURCES.computeIfAbsent(name, n -> {
      try (InputStream in = WebResource.class.getResourceAsStream(n)) {
        if (in == null) {
          throw new IllegalStateException("missing bundled file " + n);
        }
        return in.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }
}
