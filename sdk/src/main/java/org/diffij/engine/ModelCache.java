package org.diffij.engine;

import ai.djl.ndarray.NDManager;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.diffij.DiffijException;

/**
 * Loaded models shared between commands: each is loaded once into a native memory scope of its
 * own and kept while the total stays under the budget; beyond it the least recently used models
 * that no running job holds are closed. Keys identify what was loaded (file, content hash, dtype).
 */
public final class ModelCache {

    private final NDManager parent;
    private final long budgetBytes;
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);

    ModelCache(NDManager parent, long budgetBytes) {
        this.parent = parent;
        this.budgetBytes = budgetBytes;
    }

    private static final class Entry {
        final NDManager manager;
        final CachedModel model;
        final long bytes;
        int users;

        Entry(NDManager manager, CachedModel model) {
            this.manager = manager;
            this.model = model;
            this.bytes = model.sizeBytes();
        }
    }

    /** A pinned use of a cached model; closing it lets the cache evict the model again. */
    public final class Lease<M extends CachedModel> implements AutoCloseable {
        private final String key;
        private final M model;
        private boolean closed;

        private Lease(String key, M model) {
            this.key = key;
            this.model = model;
        }

        public M model() {
            return model;
        }

        @Override
        public void close() {
            synchronized (ModelCache.this) {
                if (!closed) {
                    closed = true;
                    Entry entry = entries.get(key);
                    if (entry != null) {
                        entry.users--;
                    }
                    evictOverBudget();
                }
            }
        }
    }

    public synchronized <M extends CachedModel> Lease<M> acquire(String key, Function<NDManager, M> loader) {
        Entry entry = entries.get(key);
        if (entry == null) {
            NDManager manager = parent.newSubManager();
            M model;
            try {
                model = loader.apply(manager);
            } catch (RuntimeException | Error e) {
                manager.close();
                throw e;
            }
            entry = new Entry(manager, model);
            entries.put(key, entry);
        }
        entry.users++;
        evictOverBudget();
        @SuppressWarnings("unchecked")
        M model = (M) entry.model;
        return new Lease<>(key, model);
    }

    private void evictOverBudget() {
        long total = usedBytes();
        Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
        while (total > budgetBytes && it.hasNext()) {
            Entry entry = it.next().getValue();
            if (entry.users == 0) {
                total -= entry.bytes;
                entry.manager.close();
                it.remove();
            }
        }
    }

    public synchronized long usedBytes() {
        return entries.values().stream().mapToLong(e -> e.bytes).sum();
    }

    public long budgetBytes() {
        return budgetBytes;
    }

    /** Cached keys from least to most recently used. */
    public synchronized List<String> keys() {
        return List.copyOf(entries.keySet());
    }

    /** Closes every model no job is using; a model in use is an error, since its job would crash. */
    public synchronized void clear() {
        for (Entry entry : entries.values()) {
            if (entry.users > 0) {
                throw new DiffijException("the model cache cannot be cleared while a job is using a model");
            }
        }
        entries.values().forEach(e -> e.manager.close());
        entries.clear();
    }
}
