package io.tokbench.aggregator.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokbench.aggregator.query.RowJson;
import io.tokbench.schema.StatsRow;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Every statistics row a running aggregator exports ({@code /api/v1/export?format=json}), as {@code evaluate --api} reads them. */
public final class ExportedRows {
  private ExportedRows() {}

  public static List<StatsRow> of(String apiUrl) throws IOException, InterruptedException {
    return read(new ApiClient(apiUrl));
  }

  static List<StatsRow> read(ApiClient api) throws IOException, InterruptedException {
    List<StatsRow> rows = new ArrayList<>();
    for (JsonNode node : api.get("/api/v1/export?format=json")) {
      rows.add(RowJson.stats(node));
    }
    return rows;
  }
}
