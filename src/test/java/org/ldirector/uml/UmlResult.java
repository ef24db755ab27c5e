package org.ldirector.uml;

/**
 * Outcome of one User-Mode Linux boot: the exit code of the script run inside (124 when the harness
 * hit its timeout, 125 when UML itself failed) and everything it printed, kernel noise filtered.
 */
public record UmlResult(int exitCode, String output) {

    public boolean succeeded() {
        return exitCode == 0;
    }

    /** For assertion messages: the exit code and the output in one readable block. */
    public String describe() {
        return "exit code " + exitCode + ", output:\n" + output;
    }
}
