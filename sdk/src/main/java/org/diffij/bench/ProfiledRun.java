package org.diffij.bench;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.diffij.nn.OpProfile;

/**
 * One extra run of a benchmark with the op profile on: wall time, the process's CPU time (which,
 * on a shared machine, shows how much of the wall time the run actually computed) and the time per
 * kind of op; the rest is elementwise ops, copies and JNI calls.
 */
final class ProfiledRun {

    private ProfiledRun() {
    }

    static void print(PrintStream out, Callable<?> run) throws Exception {
        long cpu0 = processCpuNanos();
        long t0 = System.nanoTime();
        OpProfile.start();
        Map<String, double[]> kinds;
        try {
            run.call();
        } finally {
            kinds = OpProfile.stop();
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        double cpu = (processCpuNanos() - cpu0) / 1e9;
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
                "  profiled run: wall %.2f s, process CPU %.2f s (%.2f cores busy)%n  where the time goes:", wall, cpu,
                cpu / wall));
        double counted = 0;
        for (Map.Entry<String, double[]> e : kinds.entrySet()) {
            double seconds = e.getValue()[0];
            counted += seconds;
            line.append(String.format(Locale.ROOT, " %s %.2f s (%.0f%%, %d calls);", e.getKey(), seconds,
                    100 * seconds / wall, (long) e.getValue()[1]));
        }
        line.append(String.format(Locale.ROOT, " other (elementwise, copies, JNI) %.2f s (%.0f%%)", wall - counted,
                100 * (wall - counted) / wall));
        out.println(line);
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
