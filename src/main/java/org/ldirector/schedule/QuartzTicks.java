package org.ldirector.schedule;

import java.time.Duration;
import java.util.Date;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.impl.StdSchedulerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Ticks} on a private, in-memory Quartz scheduler. Tasks must be short (they start an
 * asynchronous probe and return), so two Quartz threads serve thousands of timers. Between ticks
 * its threads sleep: the scheduler's until the next trigger, the workers' until a job arrives.
 *
 * <p>Misfires use "next with remaining count": a tick missed while the JVM stalled is skipped, so a
 * stall never releases a burst of probes.
 */
public final class QuartzTicks implements Ticks {
    private static final Logger LOG = LoggerFactory.getLogger(QuartzTicks.class);
    private static final AtomicInteger INSTANCES = new AtomicInteger();
    private static final String GROUP = "ldirector";

    private final Scheduler quartz;
    private final Map<String, Runnable> tasks = new ConcurrentHashMap<>();

    public QuartzTicks(int threads) {
        Properties p = new Properties();
        // A distinct name per instance: Quartz keeps a JVM-wide repository of schedulers by name.
        p.setProperty(
                StdSchedulerFactory.PROP_SCHED_INSTANCE_NAME,
                "ldirector-" + INSTANCES.incrementAndGet());
        // idle workers that sleep instead of polling twice a second (see ParkedThreadPool)
        p.setProperty("org.quartz.threadPool.class", ParkedThreadPool.class.getName());
        p.setProperty("org.quartz.threadPool.threadCount", Integer.toString(threads));
        p.setProperty("org.quartz.scheduler.makeSchedulerThreadDaemon", "true");
        p.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
        // A tick later than this is a misfire and is dropped rather than run late.
        p.setProperty("org.quartz.jobStore.misfireThreshold", "1000");
        try {
            quartz = new StdSchedulerFactory(p).getScheduler();
            // Jobs are looked up here instead of instantiated by class, so no static state is
            // needed.
            quartz.setJobFactory(
                    (bundle, scheduler) -> {
                        String id = bundle.getJobDetail().getKey().getName();
                        Runnable task = tasks.get(id);
                        return (Job)
                                context -> {
                                    if (task == null) {
                                        return;
                                    }
                                    try {
                                        task.run();
                                    } catch (RuntimeException e) {
                                        // A task that throws must not kill its timer.
                                        LOG.error("scheduled task {} failed", id, e);
                                    }
                                };
                    });
            quartz.start();
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot start the Quartz scheduler", e);
        }
    }

    @Override
    public void every(String id, Duration firstDelay, Duration interval, Runnable task) {
        tasks.put(id, task);
        Trigger trigger =
                TriggerBuilder.newTrigger()
                        .withIdentity(id, GROUP)
                        .startAt(new Date(System.currentTimeMillis() + firstDelay.toMillis()))
                        .withSchedule(
                                SimpleScheduleBuilder.simpleSchedule()
                                        .withIntervalInMilliseconds(
                                                Math.max(1, interval.toMillis()))
                                        .repeatForever()
                                        .withMisfireHandlingInstructionNextWithRemainingCount())
                        .build();
        try {
            quartz.deleteJob(new JobKey(id, GROUP));
            quartz.scheduleJob(
                    JobBuilder.newJob(Job.class).withIdentity(id, GROUP).build(), trigger);
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot schedule " + id, e);
        }
    }

    @Override
    public void cancel(String id) {
        try {
            quartz.deleteJob(new JobKey(id, GROUP));
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot cancel " + id, e);
        } finally {
            tasks.remove(id);
        }
    }

    @Override
    public void close() {
        try {
            quartz.shutdown(false);
        } catch (SchedulerException e) {
            LOG.warn("Quartz shutdown failed", e);
        }
    }
}
