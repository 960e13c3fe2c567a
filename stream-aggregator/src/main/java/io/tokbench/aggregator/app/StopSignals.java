package io.tokbench.aggregator.app;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;

/**
 * Ctrl-C (SIGINT) and SIGTERM as what they are for a server in the foreground: a request to stop.
 * The JVM's own handlers would run the shutdown hooks and then exit with 128 + the signal number
 * (130, 143) whatever the hooks did; here the first signal only releases {@link #await()}, so the
 * command stops its services itself and exits 0 as documented. A second signal while stopping
 * ends the process at once (exit 130), for a stop that hangs.
 */
public final class StopSignals {
  private final CountDownLatch requested = new CountDownLatch(1);
  private final AtomicBoolean received = new AtomicBoolean();

  private StopSignals() {}

  /** Takes over SIGINT and SIGTERM for this process. */
  public static StopSignals install() {
    StopSignals signals = new StopSignals();
    for (String name : new String[] {"INT", "TERM"}) {
      // sun.misc.Signal (module jdk.unsupported) is the JDK's only API for this; it is exported
      // for exactly such uses and kept since JDK 9.
      Signal.handle(new Signal(name), signal -> signals.onSignal());
    }
    return signals;
  }

  private void onSignal() {
    if (!received.compareAndSet(false, true)) {
      Runtime.getRuntime().halt(130);
    }
    requested.countDown();
  }

  /** Blocks until a stop is requested. */
  public void await() throws InterruptedException {
    requested.await();
  }
}
