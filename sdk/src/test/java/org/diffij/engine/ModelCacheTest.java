package org.diffij.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.diffij.DiffijException;
import org.junit.jupiter.api.Test;

class ModelCacheTest {

    /** A model of 250 floats = 1000 bytes. */
    record FakeModel(NDArray weights) implements CachedModel {
        @Override
        public long sizeBytes() {
            return weights.size() * 4;
        }
    }

    private static FakeModel load(NDManager manager) {
        return new FakeModel(manager.zeros(new Shape(250)));
    }

    @Test
    void loadsOnceAndEvictsTheLeastRecentlyUsedBeyondTheBudget() {
        DiffijEngine.get();
        try (NDManager root = NDManager.newBaseManager()) {
            ModelCache cache = new ModelCache(root, 2500);
            AtomicInteger loads = new AtomicInteger();
            FakeModel a;
            try (ModelCache.Lease<FakeModel> lease = cache.acquire("a", m -> {
                loads.incrementAndGet();
                return load(m);
            })) {
                a = lease.model();
            }
            try (ModelCache.Lease<FakeModel> again = cache.acquire("a", m -> {
                loads.incrementAndGet();
                return load(m);
            })) {
                assertSame(a, again.model());
            }
            assertEquals(1, loads.get());
            cache.acquire("b", ModelCacheTest::load).close();
            cache.acquire("a", ModelCacheTest::load).close();
            cache.acquire("c", ModelCacheTest::load).close();
            assertEquals(List.of("a", "c"), cache.keys(), "b was least recently used");
            assertEquals(2000, cache.usedBytes());
            assertFalse(a.weights().isReleased());
        }
    }

    @Test
    void neverEvictsAModelInUse() {
        DiffijEngine.get();
        try (NDManager root = NDManager.newBaseManager()) {
            ModelCache cache = new ModelCache(root, 1500);
            ModelCache.Lease<FakeModel> first = cache.acquire("first", ModelCacheTest::load);
            ModelCache.Lease<FakeModel> second = cache.acquire("second", ModelCacheTest::load);
            assertEquals(List.of("first", "second"), cache.keys(), "both in use: over budget but kept");
            assertThrows(DiffijException.class, cache::clear);
            first.close();
            assertEquals(List.of("second"), cache.keys());
            assertTrue(first.model().weights().isReleased(), "evicted models free their native memory");
            second.close();
            cache.clear();
            assertTrue(cache.keys().isEmpty());
        }
    }

    @Test
    void aFailedLoadLeavesNothingBehind() {
        DiffijEngine.get();
        try (NDManager root = NDManager.newBaseManager()) {
            ModelCache cache = new ModelCache(root, 10_000);
            assertThrows(DiffijException.class, () -> cache.acquire("broken", m -> {
                m.zeros(new Shape(10));
                throw new DiffijException("unet/config.json: no such file");
            }));
            assertTrue(cache.keys().isEmpty());
        }
    }
}
