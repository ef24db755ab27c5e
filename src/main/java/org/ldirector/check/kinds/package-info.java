/**
 * The composition of the check kinds: {@link org.ldirector.check.kinds.Kinds} builds the {@link
 * org.ldirector.check.Checkers} the daemon runs from {@code check}, {@code check.http} and {@code
 * check.negotiate}, which depend on {@code check} only.
 */
package org.ldirector.check.kinds;
