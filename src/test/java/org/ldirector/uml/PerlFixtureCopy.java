package org.ldirector.uml;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The copy of a fixture the Perl ldirectord runs in the differential test: identical except that
 * every virtual is forced to {@code checktype=on}, so all reals are up without any server behind
 * them, and {@code emailalert=} is commented out: UML has no mail transport and ldirectord exits
 * after its first failed alert (seen in UML), while alerts play no part in the IPVS table.
 */
final class PerlFixtureCopy {

    // ldirectord: a virtual starts at column 0 (^virtual(6)?\s*=); its directives are indented.
    private static final Pattern VIRTUAL = Pattern.compile("^virtual6?\\s*=.*");
    private static final Pattern OWN_CHECKTYPE = Pattern.compile("^([ \\t]+)checktype\\s*=.*");
    private static final Pattern EMAIL_ALERT = Pattern.compile("^([ \\t]*)(emailalert\\s*=.*)");

    private PerlFixtureCopy() {}

    static String forceCheckTypeOn(String text) {
        StringBuilder out = new StringBuilder(text.length() + 64);
        int start = 0;
        while (start < text.length()) {
            int nl = text.indexOf('\n', start);
            int end = nl < 0 ? text.length() : nl + 1;
            String line = text.substring(start, end);
            String eol = line.endsWith("\r\n") ? "\r\n" : line.endsWith("\n") ? "\n" : "";
            String body = line.substring(0, line.length() - eol.length());
            Matcher own = OWN_CHECKTYPE.matcher(body);
            if (own.matches()) {
                out.append(own.group(1)).append("checktype=on").append(eol);
            } else if ((own = EMAIL_ALERT.matcher(body)).matches()) {
                // Indentation kept: inside a virtual the comment must not end the block.
                out.append(own.group(1)).append("#differential: ").append(own.group(2)).append(eol);
            } else if (VIRTUAL.matcher(body).matches()) {
                // Put first so a later checktype= of the virtual is rewritten by the branch above.
                out.append(body)
                        .append(eol.isEmpty() ? "\n" : eol)
                        .append("\tchecktype=on")
                        .append(eol);
            } else {
                out.append(line);
            }
            start = end;
        }
        return out.toString();
    }
}
