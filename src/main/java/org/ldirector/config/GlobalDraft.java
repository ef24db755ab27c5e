package org.ldirector.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.LinkedHashSet;
import java.util.Set;

/** The global section as read, before {@link ConfigAssembly} builds the {@link GlobalConfig}. */
final class GlobalDraft {
    final InheritedSettings inherited = new InheritedSettings(true);
    boolean autoreload = Directives.initial("autoreload");
    String callback;
    int callbackLine;
    InetSocketAddress metrics;
    Fallback fallback;
    Fallback fallback6;
    LogTarget logTarget = Directives.initial("logfile");
    String emailAlertFrom;
    final Set<String> execute = new LinkedHashSet<>();
    boolean supervised = Directives.initial("supervised");
    boolean fork = Directives.initial("fork");
    boolean readdQuiescent = Directives.initial("readdquiescent");
    String maintenanceDir;
    // syncdaemon and its settings (ldirector extension); the line numbers place errors found at the
    // end
    SyncConfig.Role syncRole;
    int syncRoleLine;
    String syncInterface;
    int syncId;
    int syncMaxLength;
    InetAddress syncGroup;
    int syncPort;
    int syncTtl;
    int firstSyncSettingLine;
}
