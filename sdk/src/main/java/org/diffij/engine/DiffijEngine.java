package org.diffij.engine;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Locale;
import org.diffij.DiffijException;

/**
 * The one owner of DJL and libtorch in the process: engine start, device, threads, dtype policy,
 * the job queue and the model cache. Everything in Diffij that computes with tensors runs as a job
 * on {@link #queue()}; plugins never touch DJL.
 */
public final class DiffijEngine {

    private static DiffijEngine instance;
    private static EngineSettings configured;

    private final EngineSettings settings;
    private final Engine engine;
    private final Device device;
    private final DataType computeType;
    private final NDManager root;
    private final ModelCache modelCache;
    private final JobQueue queue;
    private final double startSeconds;

    private DiffijEngine(EngineSettings settings, Engine engine, Device device, double startSeconds) {
        this.settings = settings;
        this.engine = engine;
        this.device = device;
        this.computeType = device.isGpu() ? DataType.FLOAT16 : DataType.FLOAT32;
        this.root = engine.newBaseManager(device);
        this.modelCache = new ModelCache(root, settings.cacheBudgetBytes());
        this.queue = new JobQueue(this, root, device.toString());
        this.startSeconds = startSeconds;
    }

    /**
     * The shared engine, started on first use with the settings given to {@link #configure}, or
     * else those of the environment.
     */
    public static synchronized DiffijEngine get() {
        if (instance == null) {
            instance = start(configured != null ? configured : EngineSettings.fromEnvironment());
        }
        return instance;
    }

    /**
     * The settings the engine starts with. Returns false when it already runs with other settings:
     * they apply after {@link #shutdown()} (or a restart of the program). Null: those of the environment.
     */
    public static synchronized boolean configure(EngineSettings settings) {
        configured = settings;
        return instance == null || settings == null || instance.settings.equals(settings);
    }

    /**
     * Stops the engine: jobs still waiting are cancelled, the running one is asked to stop and
     * awaited, the cached models and all native memory are freed. The next {@link #get()} starts a
     * new engine (libtorch itself stays loaded). Does nothing when the engine is not running.
     */
    public static synchronized void shutdown() {
        if (instance == null) {
            return;
        }
        instance.queue.close();
        instance.modelCache.clear();
        instance.root.close();
        instance = null;
    }

    /** True once the engine has started (cheap; never starts it). */
    public static synchronized boolean isStarted() {
        return instance != null;
    }

    private static DiffijEngine start(EngineSettings settings) {
        Offline.enforce();
        long t0 = System.nanoTime();
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        // DJL finds engines through the context class loader; under ImageJ 1 that is not the plugin's loader.
        thread.setContextClassLoader(DiffijEngine.class.getClassLoader());
        Engine engine;
        try {
            engine = Engine.getEngine("PyTorch");
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            throw new DiffijException("The PyTorch engine could not be started: " + e.getMessage()
                    + ". Check that the Diffij jars (with pytorch-native-cpu for this platform) are complete and "
                    + "that the DJL cache folder (DJL_CACHE_DIR, default ~/.djl.ai) is writable.", e);
        } finally {
            thread.setContextClassLoader(previous);
        }
        if (settings.threads() > 0) {
            JniUtils.setNumThreads(settings.threads());
        }
        Device device = chooseDevice(engine, settings.device());
        return new DiffijEngine(settings, engine, device, (System.nanoTime() - t0) / 1e9);
    }

    private static Device chooseDevice(Engine engine, String request) {
        int gpus = engine.getGpuCount();
        switch (request) {
            case "auto":
                return gpus > 0 ? Device.gpu(0) : Device.cpu();
            case "cpu":
                return Device.cpu();
            default:
                if (!request.startsWith("gpu") && !request.startsWith("cuda")) {
                    throw new DiffijException("diffij.device '" + request + "' is not a device; use auto, cpu, gpu "
                            + "or gpu:N");
                }
                int index = 0;
                int colon = request.indexOf(':');
                if (colon >= 0) {
                    try {
                        index = Integer.parseInt(request.substring(colon + 1));
                    } catch (NumberFormatException e) {
                        throw new DiffijException("diffij.device '" + request + "' has no GPU number after ':'");
                    }
                }
                if (index >= gpus) {
                    throw new DiffijException("diffij.device asks for " + request + " but libtorch sees "
                            + (gpus == 0 ? "no CUDA GPU (this installation carries the CPU build of libtorch)"
                                    : gpus + " GPU(s)") + "; use diffij.device=cpu or auto");
                }
                return Device.gpu(index);
        }
    }

    public Device device() {
        return device;
    }

    /** The dtype models compute in: float32 on CPU (half-precision matmul there is ~200x slower), float16 on GPU. */
    public DataType computeType() {
        return computeType;
    }

    public JobQueue queue() {
        return queue;
    }

    public ModelCache modelCache() {
        return modelCache;
    }

    public EngineSettings settings() {
        return settings;
    }

    /** Seconds the engine took to start (libtorch load included). */
    public double startSeconds() {
        return startSeconds;
    }

    public int threads() {
        return JniUtils.getNumThreads();
    }

    /** Seeds libtorch's one global generator; only call from a job, since jobs run one at a time. */
    public void seed(long seed) {
        engine.setRandomSeed((int) seed);
    }

    public String describe() {
        return String.format(Locale.ROOT, "DJL %s, PyTorch %s, device %s, %d intra-op threads, compute %s, "
                + "model cache budget %.1f GiB", Engine.getDjlVersion(), engine.getVersion(), device, threads(),
                computeType, settings.cacheBudgetBytes() / (double) (1L << 30));
    }
}
