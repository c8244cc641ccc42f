package org.diffij.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.diffij.DiffijException;
import org.junit.jupiter.api.Test;

class DiffijEngineTest {

    @Test
    void startsOfflineOnCpuAndComputesConvolutionAndMatmul() {
        DiffijEngine engine = DiffijEngine.get();
        assertEquals("true", System.getProperty("OPT_OUT_TRACKING"));
        assertEquals("true", System.getProperty("ai.djl.offline"));
        assertTrue(engine.device().getDeviceType().equals("cpu") || engine.device().isGpu());
        float[] result = engine.queue().run("conv+matmul", ctx -> {
            NDArray x = ctx.manager().arange(16f).reshape(1, 1, 4, 4);
            NDArray w = ctx.manager().ones(new Shape(1, 1, 3, 3));
            NDArray conv = Conv2d.conv2d(x, w, null, new Shape(1, 1), new Shape(1, 1), new Shape(1, 1), 1).singletonOrThrow();
            NDArray m = ctx.manager().create(new float[] {1, 2, 3, 4}, new Shape(2, 2));
            NDArray product = m.matMul(m);
            return new float[] {conv.getFloat(0, 0, 1, 1), conv.getFloat(0, 0, 0, 0), product.getFloat(0, 0),
                product.getFloat(1, 1)};
        });
        // 3x3 sum around (1,1) of 0..15 is 0+1+2+4+5+6+8+9+10 = 45; the zero-padded corner is 0+1+4+5 = 10.
        assertArrayEquals(new float[] {45, 10, 7, 22}, result);
    }

    @Test
    void shutdownCancelsWaitingJobsFinishesTheRunningOneAndTheNextGetStartsAFreshEngine() throws Exception {
        DiffijEngine first = DiffijEngine.get();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        JobHandle<String> running = first.queue().submit("running", ctx -> {
            started.countDown();
            release.await();
            return ctx.isCancelled() ? "asked to stop" : "not asked";
        });
        started.await();
        JobHandle<Integer> waiting = first.queue().submit("waiting", ctx -> 1);
        Thread stopping = new Thread(DiffijEngine::shutdown);
        stopping.start();
        assertThrows(JobCancelledException.class, waiting::await);
        release.countDown();
        stopping.join();
        assertEquals("asked to stop", running.await());
        assertFalse(DiffijEngine.isStarted());
        assertThrows(IllegalStateException.class, () -> first.queue().submit("late", ctx -> 1));
        DiffijEngine second = DiffijEngine.get();
        assertNotSame(first, second);
        assertEquals(Integer.valueOf(3), second.queue().run("after", ctx -> 3));
    }

    @Test
    void configuredSettingsApplyAtTheNextStart() {
        EngineSettings current = DiffijEngine.get().settings();
        EngineSettings smaller = new EngineSettings(current.device(), current.threads(), current.cacheBudgetBytes() / 2);
        try {
            assertFalse(DiffijEngine.configure(smaller), "the running engine has other settings");
            assertEquals(current, DiffijEngine.get().settings());
            DiffijEngine.shutdown();
            assertEquals(smaller, DiffijEngine.get().settings());
            assertEquals(smaller.cacheBudgetBytes(), DiffijEngine.get().modelCache().budgetBytes());
        } finally {
            DiffijEngine.configure(null);
            DiffijEngine.shutdown();
        }
        assertEquals(EngineSettings.fromEnvironment(), DiffijEngine.get().settings());
    }

    @Test
    void jobsRunOneAtATimeInSubmissionOrder() throws InterruptedException {
        JobQueue queue = DiffijEngine.get().queue();
        List<Integer> order = new ArrayList<>();
        CountDownLatch release = new CountDownLatch(1);
        JobHandle<Integer> first = queue.submit("first", ctx -> {
            release.await();
            synchronized (order) {
                order.add(1);
            }
            return 1;
        });
        List<String> messages = new ArrayList<>();
        JobHandle<Integer> second = queue.submit("second", ctx -> {
            synchronized (order) {
                order.add(2);
            }
            return 2;
        }, (done, total, message) -> messages.add(message));
        release.countDown();
        assertEquals(1, first.await());
        assertEquals(2, second.await());
        assertEquals(List.of(1, 2), order);
        assertTrue(messages.get(0).startsWith("queued") || messages.get(0).equals("starting"), messages.toString());
    }

    @Test
    void cancellationStopsAJobAtItsNextCheckAndFreesItsMemory() throws InterruptedException {
        JobQueue queue = DiffijEngine.get().queue();
        CountDownLatch started = new CountDownLatch(1);
        NDArray[] leaked = new NDArray[1];
        JobHandle<Void> handle = queue.submit("long job", ctx -> {
            leaked[0] = ctx.manager().zeros(new Shape(64, 64));
            started.countDown();
            while (true) {
                ctx.checkCancelled();
                Thread.sleep(5);
            }
        });
        started.await();
        handle.cancel();
        assertThrows(JobCancelledException.class, handle::await);
        assertEquals(JobHandle.State.CANCELLED, handle.state());
        assertTrue(leaked[0].isReleased(), "the job's arrays must be freed with its scope");
    }

    @Test
    void failuresArriveAsMessagesAndTheQueueKeepsWorking() {
        JobQueue queue = DiffijEngine.get().queue();
        DiffijException error = assertThrows(DiffijException.class,
                () -> queue.run("broken job", ctx -> ctx.manager().ones(new Shape(2, 3)).matMul(ctx.manager()
                        .ones(new Shape(2, 3)))));
        assertTrue(error.getMessage().startsWith("broken job failed"), error.getMessage());
        assertEquals(Integer.valueOf(3), queue.run("next job", ctx -> 3));
    }

    @Test
    void aHundredJobsInARowDoNotGrowNativeMemory() throws Exception {
        JobQueue queue = DiffijEngine.get().queue();
        Job<Float> eightMegabytes = ctx -> {
            NDArray a = ctx.manager().randomNormal(new Shape(1024, 2048));
            return a.mul(2).add(1).sum().getFloat();
        };
        for (int i = 0; i < 20; i++) {
            queue.run("warm-up", eightMegabytes);
        }
        long before = residentBytes();
        for (int i = 0; i < 100; i++) {
            queue.run("job " + i, eightMegabytes);
        }
        long grown = residentBytes() - before;
        // Each job allocates ~24 MB of native arrays; leaking them would grow the process by ~2.4 GB.
        assertTrue(grown < 200L << 20, "resident memory grew by " + (grown >> 20) + " MB over 100 jobs");
    }

    private static long residentBytes() throws java.io.IOException {
        for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }

    @Test
    void outOfMemoryBecomesAnActionableMessage() {
        DiffijException error = assertThrows(DiffijException.class,
                () -> DiffijEngine.get().queue().run("huge job", ctx -> {
                    throw new OutOfMemoryError("Java heap space");
                }));
        assertTrue(error instanceof OutOfMemoryException);
        assertTrue(error.getMessage().contains("smaller image size"), error.getMessage());
    }
}
