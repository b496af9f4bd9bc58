package org.vfiosim.cluster;

import org.vfiosim.sweep.SweepPoint;

/**
 * One sweep point handed to a node through Akka's work pulling
 * ({@code WorkPullingProducerController} on the coordinator, a {@code ConsumerController} per
 * node): a node pulls the next job when it is idle, and the jobs a node had not confirmed when it
 * left go to another node.
 *
 * @param sweepId the coordinator's sweep (a node may outlive many)
 * @param index the point's place in the sweep
 * @param point the point: its settings and seed
 * @param configDigest {@link Fingerprint#ofRun} of the point as the coordinator prepared it; the
 *     node refuses to run a point it resolves differently
 */
public record PointJob(String sweepId, int index, SweepPoint point, String configDigest) implements ClusterMessage {}
