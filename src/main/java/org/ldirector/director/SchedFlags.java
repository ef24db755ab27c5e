package org.ldirector.director;

import org.ldirector.config.SchedulerFlags;
import org.ldirector.ipvs.VirtualService;

/**
 * {@code schedflags=} as IPVS service flag bits: the config's generic flags 1-3 are the kernel's
 * IP_VS_SVC_F_SCHED1-3. The words themselves are checked (and explained) by {@link SchedulerFlags}
 * when the file is read.
 */
final class SchedFlags {
    static final int FLAG1 = VirtualService.F_SCHED1;
    static final int FLAG2 = VirtualService.F_SCHED2;
    static final int FLAG3 = VirtualService.F_SCHED3;

    private SchedFlags() {}

    /**
     * @throws IllegalArgumentException naming the word that is not a flag for this scheduler
     */
    static int parse(String text, String scheduler) {
        int generic = SchedulerFlags.parse(text, scheduler);
        return ((generic & SchedulerFlags.FLAG_1) != 0 ? FLAG1 : 0)
                | ((generic & SchedulerFlags.FLAG_2) != 0 ? FLAG2 : 0)
                | ((generic & SchedulerFlags.FLAG_3) != 0 ? FLAG3 : 0);
    }
}
