package org.ldirector.check.negotiate;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.ldirector.config.ServiceType;
import org.ldirector.testing.Await;

/**
 * pgsql against a real PostgreSQL (Debian's postgresql) made by initdb and run on loopback as the
 * postgres user: SCRAM-SHA-256 for one login, md5 for another. Its files live in a fresh directory
 * under the system's temp dir that postgres owns, never under the checkout: a checkout in /root
 * (mode 0700) is out of the postgres user's reach.
 */
class PgsqlCheckTest implements SqlCheckContract {
    static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");
    static Daemon server;
    static int port;
    static Path dir;

    @BeforeAll
    static void startServer() throws Exception {
        assumeTrue(
                Files.isExecutable(BIN.resolve("postgres")),
                "PostgreSQL 15 is not installed (test-fixtures/deps/svc.txt installs postgresql)");
        dir = Files.createTempDirectory("ldirector-pgsql-");
        Path data = dir.resolve("data");
        Path socket = Files.createDirectories(dir.resolve("run"));
        Path pw = Files.writeString(dir.resolve("pw"), "super-pw\n");
        if (Commands.root()) {
            UserPrincipal pg =
                    dir.getFileSystem()
                            .getUserPrincipalLookupService()
                            .lookupPrincipalByName("postgres");
            for (Path p : List.of(dir, socket, pw)) {
                Files.setOwner(p, pg);
            }
        }
        Commands.run(
                Commands.as(
                        "postgres",
                        BIN.resolve("initdb").toString(),
                        "-D",
                        data.toString(),
                        "-U",
                        "postgres",
                        "--pwfile=" + pw,
                        "--auth-local=trust",
                        "--auth-host=scram-sha-256",
                        "--no-sync"));
        // the md5 login must be matched before initdb's catch-all scram line
        Path hba = data.resolve("pg_hba.conf");
        Files.writeString(hba, "host all oldie 127.0.0.1/32 md5\n" + Files.readString(hba));
        port = Daemon.freePort();
        server =
                Daemon.start(
                                Commands.as(
                                        "postgres",
                                        BIN.resolve("postgres").toString(),
                                        "-D",
                                        data.toString(),
                                        "-k",
                                        socket.toString(),
                                        "-p",
                                        Integer.toString(port),
                                        "-c",
                                        "listen_addresses=127.0.0.1,::1",
                                        "-c",
                                        "fsync=off"),
                                dir.resolve("postgres.log"))
                        .awaitPort(port, Duration.ofSeconds(30));
        awaitReady(socket, Duration.ofSeconds(30));
        psql(
                socket,
                "postgres",
                "CREATE USER checker PASSWORD 's3cret'",
                "CREATE DATABASE health OWNER checker",
                "SET password_encryption = 'md5'; CREATE USER oldie PASSWORD 'old-pw'");
        psql(
                socket,
                "health",
                "CREATE TABLE director_slave (host text, enabled int);"
                        + " INSERT INTO director_slave VALUES ('a', 1), ('b', 0);"
                        + " GRANT SELECT ON director_slave TO checker, oldie;");
    }

    /**
     * The port opens before the server takes logins: until then psql fails with "the database
     * system is starting up" (seen on a loaded machine). pg_isready answers 0 once it takes them.
     */
    static void awaitReady(Path socket, Duration within) throws Exception {
        List<String> ask =
                Commands.as(
                        "postgres",
                        BIN.resolve("pg_isready").toString(),
                        "-q",
                        "-h",
                        socket.toString(),
                        "-p",
                        Integer.toString(port));
        Await.until(
                "PostgreSQL on port " + port + " to take logins",
                within,
                Duration.ofMillis(50),
                () ->
                        new ProcessBuilder(ask)
                                        .redirectErrorStream(true)
                                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                                        .start()
                                        .waitFor()
                                == 0);
    }

    /** Each statement group in its own -c, since CREATE DATABASE cannot share a transaction. */
    static void psql(Path socket, String db, String... sql) throws Exception {
        List<String> c =
                new ArrayList<>(
                        Commands.as(
                                "postgres",
                                BIN.resolve("psql").toString(),
                                "-v",
                                "ON_ERROR_STOP=1",
                                "-h",
                                socket.toString(),
                                "-p",
                                Integer.toString(port),
                                "-U",
                                "postgres",
                                "-d",
                                db));
        for (String s : sql) {
            c.add("-c");
            c.add(s);
        }
        Commands.run(c);
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
        if (dir != null) {
            Daemon.delete(dir);
        }
    }

    static Probe probe() {
        return Probe.of(ServiceType.PGSQL, port)
                .login("checker", "s3cret")
                .database("health")
                .request("/SELECT * FROM director_slave WHERE enabled = 1");
    }

    @Test
    void scramLoginAndQueryWithRowsIsUp() {
        probe().assertUp();
    }

    @Test
    void ipv6RealIsReachedWithABracketedAddress() throws Exception {
        probe().address(InetAddress.getByName("::1")).assertUp();
    }

    @Test
    void md5LoginIsUp() {
        probe().login("oldie", "old-pw").assertUp();
    }

    @Test
    void queryWithoutRowsIsDown() {
        probe().request("/SELECT * FROM director_slave WHERE enabled = 2")
                .assertDown("pgsql query returned no rows");
    }

    @Test
    void failingQueryIsDown() {
        probe().request("/SELECT * FROM missing_table")
                .assertDown("pgsql query failed: ERROR: relation \"missing_table\" does not exist");
    }

    @Test
    void badPasswordIsDown() {
        probe().login("checker", "wrong-pw")
                .assertDown(
                        "pgsql login rejected: FATAL: password authentication failed for user"
                                + " \"checker\"");
    }

    @Test
    void missingDatabaseIsDown() {
        probe().database("nope")
                .assertDown("pgsql login failed: FATAL: database \"nope\" does not exist");
    }

    @Test
    void loginAndRequestAreRequiredAsInLdirectord() {
        probe().login("", "").assertDown("login and request are required");
        probe().request("/").assertDown("login and request are required");
    }

    @Override
    public Probe upProbe() {
        return probe();
    }

    @Override
    public String driverLogger() {
        return "org.postgresql";
    }

    @Override
    public String sleepRequest() {
        return "/SELECT pg_sleep(10)";
    }
}
