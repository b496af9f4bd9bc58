package org.vfiosim.cluster;

/**
 * Marks the messages vfiosim's cluster members send each other. {@code conf/cluster.conf} binds it
 * to Akka's Jackson CBOR serializer ({@code akka.actor.serialization-bindings}); Java serialization
 * is off, so a message without it cannot leave its JVM.
 */
public interface ClusterMessage {}
