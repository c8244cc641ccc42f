package org.diffij.engine;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import org.diffij.DiffijException;

/** A submitted job: its state, progress, cooperative cancellation and result. */
public final class JobHandle<T> {

    public enum State { QUEUED, RUNNING, DONE, FAILED, CANCELLED }

    private final String name;
    private final Job<T> job;
    private final CompletableFuture<T> result = new CompletableFuture<>();
    private final List<ProgressListener> listeners = new CopyOnWriteArrayList<>();
    private volatile State state = State.QUEUED;
    private volatile boolean cancelRequested;

    JobHandle(String name, Job<T> job, ProgressListener listener) {
        this.name = name;
        this.job = job;
        if (listener != null) {
            listeners.add(listener);
        }
    }

    public String name() {
        return name;
    }

    public State state() {
        return state;
    }

    public void addListener(ProgressListener listener) {
        listeners.add(listener);
    }

    /**
     * Asks the job to stop. A queued job never starts; a running one stops at its next
     * cancellation point and its native memory is freed.
     */
    public void cancel() {
        cancelRequested = true;
    }

    public boolean isCancelRequested() {
        return cancelRequested;
    }

    public boolean isDone() {
        return result.isDone();
    }

    /** Waits for the result; failures arrive as the job's own {@link DiffijException}. */
    public T await() {
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancel();
            throw new JobCancelledException(name);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof DiffijException d) {
                throw d;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new DiffijException(name + " failed: " + cause, cause);
        }
    }

    Job<T> job() {
        return job;
    }

    void report(long done, long total, String message) {
        for (ProgressListener listener : listeners) {
            listener.progress(done, total, message);
        }
    }

    void started() {
        state = State.RUNNING;
    }

    void complete(T value) {
        state = State.DONE;
        result.complete(value);
    }

    void fail(Throwable error) {
        state = error instanceof JobCancelledException ? State.CANCELLED : State.FAILED;
        result.completeExceptionally(error);
    }
}
