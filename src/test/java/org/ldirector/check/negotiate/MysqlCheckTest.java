package org.ldirector.check.negotiate;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.ldirector.config.ServiceType;

/**
 * mysql against a real MariaDB (Debian's mariadb-server) made by mariadb-install-db under target/.
 */
class MysqlCheckTest implements SqlCheckContract {
    static final String MARIADBD = "/usr/sbin/mariadbd";
    static Daemon server;
    static int port;

    @BeforeAll
    static void startServer() throws Exception {
        assumeTrue(
                Daemon.installed(MARIADBD),
                "MariaDB is not installed (test-fixtures/deps/svc.txt installs mariadb-server)");
        Path dir = Daemon.scratch("mysql");
        String user = System.getProperty("user.name");
        Commands.run(
                List.of(
                        "mariadb-install-db",
                        "--no-defaults",
                        "--user=" + user,
                        "--datadir=" + dir.resolve("data"),
                        "--auth-root-authentication-method=normal",
                        "--skip-test-db"));
        port = Daemon.freePort();
        Path socket = dir.resolve("mysqld.sock");
        server =
                Daemon.start(
                                List.of(
                                        MARIADBD,
                                        "--no-defaults",
                                        "--user=" + user,
                                        "--datadir=" + dir.resolve("data"),
                                        "--socket=" + socket,
                                        "--pid-file=" + dir.resolve("mysqld.pid"),
                                        "--port=" + port,
                                        "--bind-address=127.0.0.1",
                                        "--skip-name-resolve",
                                        "--skip-log-bin",
                                        "--innodb-buffer-pool-size=16M"),
                                dir.resolve("mariadbd.log"))
                        .awaitPort(port, Duration.ofSeconds(60));
        Commands.run(
                List.of(
                        "mariadb",
                        "--no-defaults",
                        "-S",
                        socket.toString(),
                        "-u",
                        "root",
                        "-e",
                        "CREATE USER 'checker'@'127.0.0.1' IDENTIFIED BY 's3cret'; CREATE DATABASE"
                            + " health; CREATE TABLE health.director_slave (host VARCHAR(10),"
                            + " enabled INT); INSERT INTO health.director_slave VALUES ('a', 1),"
                            + " ('b', 0); GRANT SELECT ON health.* TO 'checker'@'127.0.0.1';"));
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    static Probe probe() {
        return Probe.of(ServiceType.MYSQL, port)
                .login("checker", "s3cret")
                .database("health")
                .request("/SELECT * FROM director_slave WHERE enabled = 1");
    }

    @Test
    void loginAndQueryWithRowsIsUp() {
        probe().assertUp();
    }

    @Test
    void withoutDatabaseTheQueryNamesIt() {
        probe().database("").request("/SELECT host FROM health.director_slave").assertUp();
    }

    @Test
    void queryWithoutRowsIsDown() {
        probe().request("/SELECT * FROM director_slave WHERE enabled = 2")
                .assertDown("mysql query returned no rows");
    }

    @Test
    void failingQueryIsDown() {
        probe().request("/SELECT * FROM missing_table").assertDown("mysql query failed:");
    }

    @Test
    void badPasswordIsDown() {
        probe().login("checker", "wrong-pw").assertDown("mysql login rejected:");
    }

    @Test
    void loginAndRequestAreRequiredAsInLdirectord() {
        probe().login("", "").assertDown("login and request are required");
    }

    @Override
    public Probe upProbe() {
        return probe();
    }

    @Override
    public String driverLogger() {
        return "org.mariadb.jdbc";
    }

    @Override
    public String sleepRequest() {
        return "/SELECT SLEEP(10)";
    }
}
