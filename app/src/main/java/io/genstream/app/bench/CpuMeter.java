package io.genstream.app.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the CPU went between {@link #start()} and {@link Mark#stop()}: this process, other
 * processes on the machine (from {@code /proc/stat}, Linux only), and this JVM's threads grouped
 * by name (digits folded, so that {@code genstream-encode-3} and {@code -4} add up), plus the
 * JVM's own garbage collection and JIT compiler threads (from {@code /proc/self/task}, Linux
 * only). Native ONNX Runtime work run on a Java thread counts for that thread.
 *
 * <p>Stateless; each {@link Mark} is confined to the thread that uses it.
 */
final class CpuMeter {

  static final String GC = "JVM: garbage collection";
  static final String JIT = "JVM: JIT compilers";
  static final String VM = "JVM: VM thread";
  /** The engine's inference threads, where ONNX Runtime runs with one intra-op thread. */
  static final String INFERENCE = group("genstream-inference-1");

  private static final Path PROC_STAT = Path.of("/proc/stat");
  /** Linux's USER_HZ, the unit of /proc/stat, on every architecture we run on. */
  private static final double TICKS_PER_SECOND = 100;

  private CpuMeter() {}

  /** A snapshot to measure from. */
  static Mark start() {
    return new Mark();
  }

  /**
   * CPU used over an interval.
   *
   * @param seconds wall-clock length of the interval
   * @param processCores this JVM's CPU seconds per second (2.0 = both cores of a 2-core machine)
   * @param otherCores other processes' CPU seconds per second, or -1 where unknown
   * @param byThread CPU seconds per thread group, largest first
   */
  record Usage(double seconds, double processCores, double otherCores,
      Map<String, Double> byThread) {

    /** What the JIT compilers used, in cores. */
    double jitCores() {
      return byThread.getOrDefault(JIT, 0.0) / seconds;
    }
  }

  static final class Mark {
    private final long wallNanos = System.nanoTime();
    private final long processNanos = processCpuNanos();
    private final long busyTicks = machineBusyTicks();
    private final Map<Long, Long> threadNanos = threadCpuNanos();
    private final Map<String, Long> jvmTicks = jvmThreadTicks();

    /** When this mark was taken ({@code System.nanoTime()}). */
    long wallNanos() {
      return wallNanos;
    }

    /** The usage since this mark; the {@code top} largest thread groups, the rest as "other". */
    Usage stop(int top) {
      double seconds = (System.nanoTime() - wallNanos) / 1e9;
      double process = (processCpuNanos() - processNanos) / 1e9;
      long busy = machineBusyTicks();
      double others = busy < 0 || busyTicks < 0 ? -1
          : Math.max(0, (busy - busyTicks) / TICKS_PER_SECOND - process) / seconds;
      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      Map<String, Double> groups = new HashMap<>();
      for (Map.Entry<Long, Long> now : threadCpuNanos().entrySet()) {
        long before = threadNanos.getOrDefault(now.getKey(), 0L);
        ThreadInfo info = threads.getThreadInfo(now.getKey());
        if (info != null && now.getValue() > before) {
          groups.merge(group(info.getThreadName()), (now.getValue() - before) / 1e9, Double::sum);
        }
      }
      List<Map.Entry<String, Double>> sorted = new ArrayList<>(groups.entrySet());
      sorted.sort(Map.Entry.<String, Double>comparingByValue(Comparator.reverseOrder()));
      Map<String, Double> byThread = new LinkedHashMap<>();
      double rest = 0;
      double accounted = 0;
      for (int i = 0; i < sorted.size(); i++) {
        accounted += sorted.get(i).getValue();
        if (i < top) {
          byThread.put(sorted.get(i).getKey(), sorted.get(i).getValue());
        } else {
          rest += sorted.get(i).getValue();
        }
      }
      if (rest > 0) {
        byThread.put("(other Java threads)", rest);
      }
      Map<String, Long> jvmNow = jvmThreadTicks();
      for (Map.Entry<String, Long> jvm : jvmNow.entrySet()) {
        double cpu = (jvm.getValue() - jvmTicks.getOrDefault(jvm.getKey(), 0L)) / TICKS_PER_SECOND;
        byThread.put(jvm.getKey(), cpu);
        accounted += cpu;
      }
      // Threads that ended during the interval are lost here but not from the process total.
      byThread.put("(native threads, ended threads)", Math.max(0, process - accounted));
      return new Usage(seconds, process / seconds, others, byThread);
    }
  }

  /** A thread's group: its name with digit runs folded to '#' and client ids kept. */
  static String group(String threadName) {
    String name = threadName.replaceAll("[0-9]+", "#");
    return name.length() > 60 ? name.substring(0, 60) : name;
  }

  private static Map<Long, Long> threadCpuNanos() {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    Map<Long, Long> cpu = new HashMap<>();
    if (!threads.isThreadCpuTimeSupported()) {
      return cpu;
    }
    for (long id : threads.getAllThreadIds()) {
      long nanos = threads.getThreadCpuTime(id);
      if (nanos >= 0) {
        cpu.put(id, nanos);
      }
    }
    return cpu;
  }

  /**
   * CPU ticks of the JVM's own threads, which are not Java threads: garbage collection
   * ({@code GC Thread#n}, {@code G1 ...}), JIT compilers ({@code C1/C2 CompilerThread}) and the
   * VM thread (safepoints). Empty where {@code /proc/self/task} cannot be read.
   */
  private static Map<String, Long> jvmThreadTicks() {
    Map<String, Long> ticks = new LinkedHashMap<>();
    ticks.put(GC, 0L);
    ticks.put(JIT, 0L);
    ticks.put(VM, 0L);
    try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        String stat;
        try {
          stat = Files.readString(task.resolve("stat"));
        } catch (IOException ended) {
          continue;
        }
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        String comm = stat.substring(open + 1, close);
        String group = comm.startsWith("GC Thread") || comm.startsWith("G1 ")
            ? GC
            : comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler")
                ? JIT
                : comm.equals("VM Thread") ? VM : null;
        if (group != null) {
          // After ')': state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
          // utime stime, i.e. fields 12 and 13 counted from the state.
          String[] f = stat.substring(close + 2).split(" ");
          ticks.merge(group, Long.parseLong(f[11]) + Long.parseLong(f[12]), Long::sum);
        }
      }
      return ticks;
    } catch (IOException | RuntimeException e) {
      return Map.of();
    }
  }

  private static long processCpuNanos() {
    return ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : 0;
  }

  /** user + nice + system + irq + softirq ticks of the whole machine, or -1. */
  private static long machineBusyTicks() {
    try {
      String[] f = Files.readAllLines(PROC_STAT).get(0).trim().split("\\s+");
      // cpu user nice system idle iowait irq softirq steal ...
      return Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3])
          + Long.parseLong(f[6]) + Long.parseLong(f[7]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
