package org.diffij.engine;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingDeque;

/**
 * The device's one worker: jobs from every command and plugin run one at a time, in submission
 * order, each inside its own native memory scope. Queued jobs are told how many are ahead.
 */
public final class JobQueue {

    private final DiffijEngine engine;
    private final NDManager parent;
    private final LinkedBlockingDeque<JobHandle<?>> waiting = new LinkedBlockingDeque<>();
    private final Thread worker;
    private volatile boolean busy;

    JobQueue(DiffijEngine engine, NDManager parent, String deviceName) {
        this.engine = engine;
        this.parent = parent;
        this.worker = new Thread(this::work, "diffij-worker-" + deviceName);
        this.worker.setDaemon(true);
        this.worker.setContextClassLoader(JobQueue.class.getClassLoader());
        this.worker.start();
    }

    public <T> JobHandle<T> submit(String name, Job<T> job, ProgressListener listener) {
        JobHandle<T> handle = new JobHandle<>(name, job, listener);
        synchronized (waiting) {
            int ahead = waiting.size() + (busy ? 1 : 0);
            waiting.addLast(handle);
            handle.report(0, 0, ahead == 0 ? "starting" : "queued (" + ahead + " ahead)");
        }
        return handle;
    }

    public <T> JobHandle<T> submit(String name, Job<T> job) {
        return submit(name, job, null);
    }

    /** Submits and waits; the convenient form for scripts and tests. */
    public <T> T run(String name, Job<T> job) {
        return submit(name, job).await();
    }

    /** Jobs waiting to start (not counting the running one). */
    public int waitingCount() {
        return waiting.size();
    }

    private void work() {
        while (true) {
            JobHandle<?> handle;
            try {
                handle = waiting.takeFirst();
            } catch (InterruptedException e) {
                return;
            }
            busy = true;
            try {
                execute(handle);
            } finally {
                busy = false;
                reportQueuePositions();
            }
        }
    }

    private <T> void execute(JobHandle<T> handle) {
        if (handle.isCancelRequested()) {
            handle.fail(new JobCancelledException(handle.name()));
            return;
        }
        handle.started();
        handle.report(0, 0, "running");
        NDManager scope = parent.newSubManager();
        JobContext context = new JobContext(engine, handle, scope);
        try {
            T value = handle.job().run(context);
            handle.complete(value);
        } catch (Throwable error) {
            handle.fail(EngineFailures.explain(error, handle.name()));
        } finally {
            context.release();
            scope.close();
        }
    }

    private void reportQueuePositions() {
        List<JobHandle<?>> snapshot = new ArrayList<>(waiting);
        for (int i = 0; i < snapshot.size(); i++) {
            snapshot.get(i).report(0, 0, "queued (" + (i + 1) + " ahead)");
        }
    }
}
