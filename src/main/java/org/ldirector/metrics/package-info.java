/**
 * The optional Prometheus endpoint ({@code metrics=}, an ldirector extension): counters and gauges
 * fed by the engine's events, written in the text exposition format by hand, because the format is
 * a few lines of text and a client library would bring its own registry and threads.
 */
package org.ldirector.metrics;
