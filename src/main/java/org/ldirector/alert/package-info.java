/**
 * Email alerts as ldirectord sends them (emailalert, emailalertfrom, emailalertfreq,
 * emailalertstatus, smtp): one mail per change of a real server in the kernel, a reminder while one
 * stays out, over SMTP or the local sendmail.
 */
package org.ldirector.alert;
