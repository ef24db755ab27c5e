package org.ldirector.check.negotiate;

import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.SocketTimeoutException;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.sql.Statement;
import java.util.Properties;
import org.ldirector.check.ProbeTarget;
import org.ldirector.check.Reasons;

/**
 * mysql and pgsql, as ldirectord's check_sql: login and request are both required; log in to
 * database, run request (without its "/"), and up only when it returns at least one row (DBI's
 * {@code $sth->rows}; for a statement that is not a SELECT, rows affected). ldirectord executes the
 * query twice; once is enough to answer the same question without doubling side effects.
 *
 * <p>Uses the vendors' JDBC drivers (instantiated directly, so DriverManager's global login timeout
 * is never touched). Their timeouts get the time left, rounded up to whole seconds where the driver
 * only takes seconds; the deadline itself is kept by {@link DialogueChecker}, which completes the
 * check on time and aborts the connection under the driver.
 */
final class SqlCheck implements Conversation {
    enum Kind {
        MYSQL,
        PGSQL
    }

    private final Kind kind;

    SqlCheck(Kind kind) {
        this.kind = kind;
    }

    @Override
    public Outcome talk(Dialogue d, ProbeTarget t) throws Exception {
        String service = kind == Kind.MYSQL ? "mysql" : "pgsql";
        String query = Dialogue.bareRequest(t.request());
        if (t.spec().login().isEmpty() || query.isEmpty()) {
            return Outcome.down(service + ": login and request are required (as in ldirectord)");
        }
        String host = d.peer().getAddress().getHostAddress();
        if (d.peer().getAddress() instanceof Inet6Address) {
            host = "[" + host + "]";
        }
        Properties p = new Properties();
        p.setProperty("user", t.spec().login());
        p.setProperty("password", t.spec().passwd().reveal());
        Driver driver;
        String url;
        if (kind == Kind.PGSQL) {
            driver = new org.postgresql.Driver();
            url =
                    "jdbc:postgresql://"
                            + host
                            + ":"
                            + d.peer().getPort()
                            + "/"
                            + t.spec().database();
            String seconds = Integer.toString(wholeSeconds(d));
            p.setProperty("connectTimeout", seconds);
            p.setProperty("loginTimeout", seconds);
            p.setProperty("socketTimeout", seconds);
            p.setProperty("ApplicationName", "ldirector");
        } else {
            driver = new org.mariadb.jdbc.Driver();
            url = "jdbc:mariadb://" + host + ":" + d.peer().getPort() + "/" + t.spec().database();
            String millis = Integer.toString(d.remainingMillis());
            p.setProperty("connectTimeout", millis);
            p.setProperty("socketTimeout", millis);
            // By default never take the server's RSA key from the server: caching_sha2_password's
            // full authentication would then encrypt the password to whatever key a rogue real (or
            // anyone in the path) hands over. libmysqlclient refuses the same by default;
            // mysqlpublickeyretrieval=yes accepts that risk.
            p.setProperty(
                    "allowPublicKeyRetrieval",
                    Boolean.toString(t.spec().mysqlPublicKeyRetrieval()));
        }
        Connection c;
        try {
            c = driver.connect(url, p);
        } catch (SQLException e) {
            throw loginFailure(service, e);
        }
        if (c == null) {
            return Outcome.down(service + ": driver refused URL " + url);
        }
        // abort(), unlike close(), sends nothing to the server and does its work on the executor,
        // so the timer thread that fires it cannot hang on a dead peer
        d.closeOnDeadline(() -> c.abort(d.background()));
        try (Connection conn = c;
                Statement st = conn.createStatement()) {
            st.setQueryTimeout(wholeSeconds(d));
            boolean rows;
            try {
                if (st.execute(query)) {
                    try (ResultSet rs = st.getResultSet()) {
                        rows = rs.next();
                    }
                } else {
                    rows = st.getUpdateCount() > 0;
                }
            } catch (SQLException e) {
                if (d.expired() || hasTimeout(e)) {
                    throw e;
                }
                return Outcome.down(
                        service
                                + " query failed: "
                                + Reasons.quote(String.valueOf(e.getMessage())));
            }
            return rows
                    ? Outcome.up(service + " query returned rows")
                    : Outcome.down(service + " query returned no rows");
        }
    }

    private static int wholeSeconds(Dialogue d) throws Exception {
        return Math.max(1, (d.remainingMillis() + 999) / 1000);
    }

    /**
     * A refused connection or a timeout keeps its socket cause; anything else is a login failure.
     */
    private static Exception loginFailure(String service, SQLException e) {
        for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
            if (c instanceof ConnectException || c instanceof SocketTimeoutException) {
                return e;
            }
        }
        if (hasTimeout(e)) {
            return e;
        }
        if (String.valueOf(e.getMessage()).contains("RSA public key is not available")) {
            return new Down(
                    service
                            + " login failed: the server asks for the whole password on a"
                            + " connection without TLS (caching_sha2_password full authentication),"
                            + " and ldirector will not take the key to encrypt it from the server"
                            + " (see mysqlpublickeyretrieval)");
        }
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String what =
                state.startsWith("28") || e.getErrorCode() == 1045
                        ? "login rejected"
                        : "login failed";
        String message = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
        return new Down(service + " " + what + ": " + Reasons.quote(message));
    }

    private static boolean hasTimeout(SQLException e) {
        return e instanceof SQLTimeoutException
                || (e.getSQLState() != null
                        && e.getSQLState().equals("57014")); // pg: query cancelled by timeout
    }
}
