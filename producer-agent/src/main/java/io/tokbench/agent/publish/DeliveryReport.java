package io.tokbench.agent.publish;

import java.util.Optional;

/**
 * What happened to a batch of reports.
 *
 * @param delivered acknowledged by the broker and removed from the spool
 * @param pending still in the spool, to be sent by {@code flush} or the next {@code probe}
 * @param failure why delivery stopped, when it did
 */
public record DeliveryReport(int delivered, int pending, Optional<DeliveryFailure> failure) {}
