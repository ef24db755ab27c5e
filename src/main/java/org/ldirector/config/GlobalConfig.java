package org.ldirector.config;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The global directives of ldirectord.cf, as written or defaulted. Per-virtual values that inherit
 * from these are already resolved into {@link VirtualConfig}; these are kept for what is global
 * only (daemon behaviour) and for {@code -t} output.
 *
 * @param checkTimeout global checktimeout, if given (the effective one is per virtual)
 * @param negotiateTimeout global negotiatetimeout, if given
 * @param checkInterval checkinterval (default 10 s)
 * @param checkCount checkcount (default 1, deprecated)
 * @param failureCount failurecount (default 1)
 * @param autoreload autoreload (default no)
 * @param metrics ldirector extension {@code metrics=}: where the Prometheus endpoint listens; off
 *     when empty
 * @param callback callback command run on config change
 * @param fallback global fallback for IPv4 virtuals
 * @param fallback6 global fallback for IPv6 virtuals
 * @param fallbackCommand global fallbackcommand
 * @param logTarget logfile (default /var/log/ldirectord.log)
 * @param emailAlert global email alert settings
 * @param execute {@code execute=} configs to run as further instances
 * @param supervised supervised (default no)
 * @param fork fork (default no)
 * @param quiescent quiescent (default no: the code's default, not the manual's)
 * @param readdQuiescent readdquiescent (default no)
 * @param cleanstop cleanstop (default yes)
 * @param maintenanceDir maintenancedir, if given
 * @param sync ldirector extension {@code syncdaemon=} and its settings; empty: the kernel's sync
 *     daemons are left alone
 */
public record GlobalConfig(
        Optional<Duration> checkTimeout,
        Optional<Duration> negotiateTimeout,
        Duration checkInterval,
        int checkCount,
        int failureCount,
        boolean autoreload,
        Optional<String> callback,
        Optional<Fallback> fallback,
        Optional<Fallback> fallback6,
        Optional<String> fallbackCommand,
        LogTarget logTarget,
        EmailAlert emailAlert,
        List<String> execute,
        boolean supervised,
        boolean fork,
        boolean quiescent,
        boolean readdQuiescent,
        boolean cleanstop,
        Optional<String> maintenanceDir,
        Optional<InetSocketAddress> metrics,
        Optional<SyncConfig> sync) {

    public GlobalConfig {
        execute = List.copyOf(execute);
    }
}
