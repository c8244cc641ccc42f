package org.diffij.engine;

import ai.djl.ndarray.NDManager;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The device's one worker: jobs from every command and plugin run one at a time, in submission
 * order, each inside its own native memory scope. Queued jobs are told how many are ahead.
 */
public final class JobQueue {

    private final DiffijEngine engine;
    private final NDManager parent;
    private final ArrayDeque<JobHandle<?>> waiting = new ArrayDeque<>();
    private final Thread worker;
    private boolean busy;
    private JobHandle<?> running;
    private boolean closed;

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
            if (closed) {
                throw new IllegalStateException("the engine has been shut down; DiffijEngine.get() starts a new one");
            }
            int ahead = waiting.size() + (busy ? 1 : 0);
            handle.report(0, 0, ahead == 0 ? "starting" : "queued (" + ahead + " ahead)");
            waiting.addLast(handle);
            waiting.notifyAll();
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
        synchronized (waiting) {
            return waiting.size();
        }
    }

    private void work() {
        while (true) {
            JobHandle<?> handle;
            synchronized (waiting) {
                while (waiting.isEmpty()) {
                    if (closed) {
                        return;
                    }
                    try {
                        waiting.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                handle = waiting.removeFirst();
                busy = true;
                running = handle;
            }
            try {
                execute(handle);
            } finally {
                reportQueuePositions();
            }
        }
    }

    /**
     * Cancels the waiting jobs, asks the running one to stop, and returns when the worker has
     * finished; later submissions are refused.
     */
    void close() {
        List<JobHandle<?>> cancelled;
        synchronized (waiting) {
            closed = true;
            cancelled = new ArrayList<>(waiting);
            waiting.clear();
            if (running != null) {
                running.cancel();
            }
            waiting.notifyAll();
        }
        cancelled.forEach(h -> h.fail(new JobCancelledException(h.name())));
        try {
            worker.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
        T value = null;
        Throwable failure = null;
        try {
            value = handle.job().run(context);
        } catch (Throwable error) {
            failure = EngineFailures.explain(error, handle.name());
        } finally {
            context.release();
            scope.close();
        }
        // Only now, with the job's native memory freed, may a waiting caller go on.
        if (failure == null) {
            handle.complete(value);
        } else {
            handle.fail(failure);
        }
    }

    private void reportQueuePositions() {
        List<JobHandle<?>> snapshot;
        synchronized (waiting) {
            busy = false;
            running = null;
            snapshot = new ArrayList<>(waiting);
        }
        for (int i = 0; i < snapshot.size(); i++) {
            snapshot.get(i).report(0, 0, i == 0 ? "next in queue" : "queued (" + i + " ahead)");
        }
    }
}
