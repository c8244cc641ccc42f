package org.diffij.engine;

/** Something the model cache holds: its native memory belongs to the manager the cache gave its loader. */
public interface CachedModel {

    /** Bytes of native memory the model holds, for the cache's budget. */
    long sizeBytes();
}
