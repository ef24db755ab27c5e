/**
 * {@code ldirector import-keepalived}: keepalived's configuration language read into a tree ({@link
 * org.ldirector.keepalived.KeepalivedParser}), and its {@code virtual_server} blocks turned into
 * ldirectord.cf text ({@link org.ldirector.keepalived.KeepalivedImport}). Depends on nothing of the
 * daemon: it produces text, and says by {@code FILE:LINE} what it could not carry over.
 */
package org.ldirector.keepalived;
