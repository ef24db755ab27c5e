package org.ldirector.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Everything a checker needs to probe the reals of one virtual service, with ldirectord's defaults
 * and its checktimeout/negotiatetimeout fallback chain already applied. Two reals whose (address,
 * check port, CheckSpec) are equal are the same probe (ldirectord probes such a real once per round
 * and applies the result to every virtual it is in).
 *
 * @param type checktype; a number N in the file is {@link CheckType#COMBINED}
 * @param numConnects N for {@link CheckType#COMBINED}, else 0
 * @param service the negotiate dialogue (explicit, or inferred from the virtual's port)
 * @param checkCommand {@code checkcommand=} for external checks (default {@code /bin/true})
 * @param checkPort {@code checkport=}, if given
 * @param request {@code request=} with ldirectord's leading "/" added (default "/")
 * @param receive {@code receive=} (default empty: any answer)
 * @param httpMethod GET or HEAD
 * @param virtualHost {@code virtualhost=}, if given
 * @param login {@code login=} (ftp defaults to "anonymous", sip to "ldirectord@HOST")
 * @param passwd {@code passwd=} (ftp defaults to "ldirectord@HOST")
 * @param database {@code database=}
 * @param secret {@code secret=} (radius)
 * @param checkTimeout effective checktimeout
 * @param negotiateTimeout effective negotiatetimeout
 * @param checkCount effective checkcount (ping attempts)
 * @param httpsCaFile extension (not in ldirectord): verify an https real's certificate chain
 *     against this PEM CA file; empty = no verification, as ldirectord
 * @param httpsSniName extension: TLS server name sent by an https check (and the name the
 *     certificate must match when verifying); empty = none, as ldirectord (IP URL)
 * @param mysqlPublicKeyRetrieval extension: let a mysql check take the server's RSA key from the
 *     server (caching_sha2_password on a connection without TLS); false = refuse, as libmysqlclient
 *     does, since a rogue real could then read the password
 * @param http extension (keepalived's HTTP_GET): status set, body digest and further URLs of an
 *     http/https check; {@link HttpExpect#NONE} = ldirectord's check
 * @param externalWeight extension (keepalived's misc_dynamic): an external check's exit status 2 to
 *     255 is up with weight status - 2; 0 up, 1 down as before
 */
public record CheckSpec(
        CheckType type,
        int numConnects,
        ServiceType service,
        String checkCommand,
        Optional<Integer> checkPort,
        String request,
        String receive,
        HttpMethod httpMethod,
        Optional<String> virtualHost,
        String login,
        Secret passwd,
        String database,
        Secret secret,
        Duration checkTimeout,
        Duration negotiateTimeout,
        int checkCount,
        Optional<Path> httpsCaFile,
        Optional<String> httpsSniName,
        boolean mysqlPublicKeyRetrieval,
        HttpExpect http,
        boolean externalWeight) {

    /** The same check with the keepalived extensions set. */
    public CheckSpec withKeepalived(HttpExpect http, boolean externalWeight) {
        return new CheckSpec(
                type,
                numConnects,
                service,
                checkCommand,
                checkPort,
                request,
                receive,
                httpMethod,
                virtualHost,
                login,
                passwd,
                database,
                secret,
                checkTimeout,
                negotiateTimeout,
                checkCount,
                httpsCaFile,
                httpsSniName,
                mysqlPublicKeyRetrieval,
                http,
                externalWeight);
    }

    /** ldirectord's settings only: every ldirector extension at its default (off). */
    public CheckSpec(
            CheckType type,
            int numConnects,
            ServiceType service,
            String checkCommand,
            Optional<Integer> checkPort,
            String request,
            String receive,
            HttpMethod httpMethod,
            Optional<String> virtualHost,
            String login,
            Secret passwd,
            String database,
            Secret secret,
            Duration checkTimeout,
            Duration negotiateTimeout,
            int checkCount) {
        this(
                type,
                numConnects,
                service,
                checkCommand,
                checkPort,
                request,
                receive,
                httpMethod,
                virtualHost,
                login,
                passwd,
                database,
                secret,
                checkTimeout,
                negotiateTimeout,
                checkCount,
                Optional.empty(),
                Optional.empty(),
                false,
                HttpExpect.NONE,
                false);
    }
}
