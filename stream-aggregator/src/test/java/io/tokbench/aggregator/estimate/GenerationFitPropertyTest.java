package io.tokbench.aggregator.estimate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

/**
 * The generation fit is a function of the rows, not of their order: the stream, the export and a
 * test build the same rows in different orders, and must calibrate alike. (The robust fit once took
 * the median of its residuals in place and weighed the sorted residuals against unsorted rows.)
 */
class GenerationFitPropertyTest {
  @Property(tries = 300)
  void theFitDoesNotDependOnTheOrderOfTheRows(@ForAll @IntRange(min = 2, max = 40) int rows, @ForAll long seed,
      @ForAll @DoubleRange(min = 0.0, max = 6.0) double overheadMillis, @ForAll @DoubleRange(min = 0.2, max = 1.0) double efficiency,
      @ForAll @DoubleRange(min = 0.0, max = 0.5) double outlierShare) {
    Random random = new Random(seed);
    List<double[]> points = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      double x = 0.0002 + random.nextDouble() * 0.1;
      double noise = Math.exp(random.nextGaussian() * 0.05) * (random.nextDouble() < outlierShare ? 1.5 + random.nextDouble() * 2 : 1.0);
      points.add(new double[] {x, (overheadMillis / 1e3 + x / efficiency) * noise});
    }
    GenerationModel inOrder = fit(points);
    Collections.shuffle(points, random);
    GenerationModel shuffled = fit(points);

    assertThat(shuffled.overheadSeconds()).isCloseTo(inOrder.overheadSeconds(), within(1e-9));
    assertThat(shuffled.efficiency()).isCloseTo(inOrder.efficiency(), within(1e-9 * inOrder.efficiency()));
  }

  private static GenerationModel fit(List<double[]> points) {
    return GenerationModel.fit(points.stream().mapToDouble(p -> p[0]).toArray(), points.stream().mapToDouble(p -> p[1]).toArray(), 0.0015);
  }
}
