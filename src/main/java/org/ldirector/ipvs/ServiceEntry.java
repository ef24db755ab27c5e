package org.ldirector.ipvs;

/** A virtual service read back from the table, with its counters. */
public record ServiceEntry(VirtualService service, Stats stats) {}
