package org.ldirector.uml;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.PrintWriter;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Entry point of the JVM that {@link UmlHarness#runJUnit} starts inside User-Mode Linux: runs the
 * named JUnit classes, prints the summary and every failure, and exits 0 only if at least one test
 * ran and none failed (a class that silently found no tests must not look green).
 */
public final class InUmlMain {

    private InUmlMain() {}

    public static void main(String[] args) {
        if (args.length == 0) {
            System.err.println("usage: InUmlMain TEST_CLASS...");
            System.exit(2);
        }
        LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request();
        for (String name : args) {
            request.selectors(selectClass(name));
        }
        LauncherDiscoveryRequest built = request.build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        launcher.execute(built, listener);
        TestExecutionSummary summary = listener.getSummary();
        PrintWriter out = new PrintWriter(System.out, true);
        summary.printTo(out);
        summary.printFailuresTo(out, 50);
        boolean ok = summary.getTotalFailureCount() == 0 && summary.getTestsSucceededCount() > 0;
        out.println(
                "IN-UML RESULT: "
                        + (ok ? "PASSED" : "FAILED")
                        + " ("
                        + summary.getTestsSucceededCount()
                        + " succeeded, "
                        + summary.getTotalFailureCount()
                        + " failed, "
                        + summary.getTestsSkippedCount()
                        + " skipped)");
        out.flush();
        System.exit(ok ? 0 : 1);
    }
}
