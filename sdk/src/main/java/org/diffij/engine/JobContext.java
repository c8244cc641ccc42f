package org.diffij.engine;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** What a running job may use: its scoped memory, the device, progress, cancellation, the model cache. */
public final class JobContext {

    private final DiffijEngine engine;
    private final JobHandle<?> handle;
    private final NDManager manager;
    private final List<ModelCache.Lease<?>> leases = new ArrayList<>();

    JobContext(DiffijEngine engine, JobHandle<?> handle, NDManager manager) {
        this.engine = engine;
        this.handle = handle;
        this.manager = manager;
    }

    /** The job's native memory scope, closed when the job ends. */
    public NDManager manager() {
        return manager;
    }

    /**
     * Runs {@code part} with a context whose memory scope is a child of this one, closed when the part
     * returns: what a long job (a training run) does repeatedly must not accumulate in the job's scope.
     * Models the part acquires stay leased until the whole job ends.
     */
    public <T> T scoped(Function<JobContext, T> part) {
        try (NDManager child = manager.newSubManager()) {
            JobContext scoped = new JobContext(engine, handle, child);
            try {
                return part.apply(scoped);
            } finally {
                leases.addAll(scoped.leases);
            }
        }
    }

    public Device device() {
        return engine.device();
    }

    public DiffijEngine engine() {
        return engine;
    }

    public void progress(long done, long total, String message) {
        handle.report(done, total, message);
    }

    public boolean isCancelled() {
        return handle.isCancelRequested();
    }

    /** A cancellation point: throws {@link JobCancelledException} when the job was asked to stop. */
    public void checkCancelled() {
        if (handle.isCancelRequested()) {
            throw new JobCancelledException(handle.name());
        }
    }

    /**
     * A model from the shared cache, loaded on first use; it stays pinned (not evictable) until this
     * job ends.
     */
    public <M extends CachedModel> M model(String key, Function<NDManager, M> loader) {
        ModelCache.Lease<M> lease = engine.modelCache().acquire(key, loader);
        leases.add(lease);
        return lease.model();
    }

    void release() {
        leases.forEach(ModelCache.Lease::close);
        leases.clear();
    }
}
