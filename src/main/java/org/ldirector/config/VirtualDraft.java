package org.ldirector.config;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * One virtual block as read, before the globals (which may come later in the file) are applied by
 * {@link ConfigAssembly}. The line numbers place the warnings and errors found once the block is
 * read.
 */
final class VirtualDraft {
    int line;
    AddressFamily family;
    String written;
    String ipPort; // host:port as written, null for a fwmark
    String hostPart;
    String portPart;
    Integer fwmark;
    boolean ok = true;
    String protocol;
    String checktype = Directives.initial("checktype");
    int numConnects;
    String service;
    String checkCommand = Directives.initial("checkcommand");
    int checkCommandLine;
    Integer checkPort;
    String request = Directives.initial("request");
    String receive = Directives.initial("receive");
    String httpMethod = Directives.initial("httpmethod");
    String virtualHost;
    String httpsCaFile;
    String httpsServerName;
    int httpsServerNameLine;
    boolean mysqlPublicKeyRetrieval = Directives.initial("mysqlpublickeyretrieval");
    StatusSet httpStatus;
    String httpDigest;
    final List<UrlCheck> checkUrls = new ArrayList<>();

    /**
     * The last httpstatus, httpdigest or checkurl line, for the warning when the check does not use
     * them.
     */
    int httpExpectLine;

    boolean externalWeight = Directives.initial("externalweight");
    int externalWeightLine;
    String login = Directives.initial("login");
    String passwd = Directives.initial("passwd");
    String database = Directives.initial("database");
    String secret = Directives.initial("secret");
    final InheritedSettings inherited = new InheritedSettings(false);
    String scheduler = Directives.initial("scheduler");
    String schedFlags;
    int schedFlagsLine;
    Integer persistent;
    String netmask;
    int netmaskLine;
    boolean ops = Directives.initial("ops");
    int opsLine;
    String fallbackText;
    int fallbackLine;
    String fallbackName;
    String monitorFile;
    String serviceName;
    String comment;
    final List<String[]> realTodo = new ArrayList<>(); // text, line
    // resolved once the block is read
    InetAddress address;
    int port;
    Fallback fallback;
    final List<Real> reals = new ArrayList<>();
}
