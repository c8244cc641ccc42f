package org.diffij.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How attention bounds its memory: the score matrix {@code (B, heads, Lq, Lk)} of one call is
 * estimated from the shapes, and when it would exceed {@link #maxScoreBytes()} the queries are
 * attended in slices of rows, each of whose score matrices fits. Softmax is per query row, so the
 * slices give the same values as one call. The policy in force is per thread (engine jobs run on
 * one worker thread): a pipeline sets the one its memory plan chose with {@link #use} for the
 * duration of a run; elsewhere {@link #DEFAULT} applies. Kernels that never materialise the score
 * matrix (libtorch's fused attention) are not sliced.
 *
 * @param maxScoreBytes the largest score matrix one kernel call may create ({@link Long#MAX_VALUE}: never slice)
 */
public record AttentionSlicing(long maxScoreBytes) {

    /** Never slices. */
    public static final AttentionSlicing OFF = new AttentionSlicing(Long.MAX_VALUE);

    /** Outside a pipeline: slices above 128 MiB (a full 4096² SD1.5 self-attention score matrix is 1 GiB). */
    public static final AttentionSlicing DEFAULT = new AttentionSlicing(128L << 20);

    private static final ThreadLocal<AttentionSlicing> CURRENT = ThreadLocal.withInitial(() -> DEFAULT);

    public AttentionSlicing {
        if (maxScoreBytes <= 0) {
            throw new IllegalArgumentException("maxScoreBytes must be positive");
        }
    }

    /** The policy in force on this thread. */
    public static AttentionSlicing current() {
        return CURRENT.get();
    }

    /** Puts {@code policy} in force on this thread until the returned handle is closed. */
    public static InForce use(AttentionSlicing policy) {
        AttentionSlicing previous = CURRENT.get();
        CURRENT.set(policy);
        return () -> CURRENT.set(previous);
    }

    /** Restores the previous policy; closing never fails. */
    @FunctionalInterface
    public interface InForce extends AutoCloseable {
        @Override
        void close();
    }

    /** Bytes of the score matrix of attending {@code query (B, heads, Lq, d)} to {@code keyLength} keys. */
    public static long scoreBytes(long batch, long heads, long queryLength, long keyLength, int bytesPerValue) {
        return batch * heads * queryLength * keyLength * bytesPerValue;
    }

    /** Query rows per kernel call for these shapes: all of them when the whole score matrix fits. */
    public long rowsPerSlice(long batch, long heads, long queryLength, long keyLength, int bytesPerValue) {
        long perRow = scoreBytes(batch, heads, 1, keyLength, bytesPerValue);
        return Math.max(1, Math.min(queryLength, maxScoreBytes / perRow));
    }

    /** softmax(q·kᵀ/√d)·v by {@code kernels}, in as many query slices as this policy needs. */
    public NDArray attend(Kernels kernels, NDArray query, NDArray key, NDArray value) {
        long[] q = query.getShape().getShape();
        long rows = q[2];
        long slice = rowsPerSlice(q[0], q[1], rows, key.getShape().get(2), query.getDataType().getNumOfBytes());
        if (slice == rows || !kernels.attentionMaterializesScores()) {
            return kernels.attention(query, key, value);
        }
        List<NDArray> parts = new ArrayList<>();
        for (long start = 0; start < rows; start += slice) {
            long end = Math.min(rows, start + slice);
            parts.add(kernels.attention(query.get(":, :, " + start + ":" + end + ", :"), key, value));
        }
        return NDArrays.concat(new NDList(parts), 2);
    }

    public String describe() {
        return this.equals(OFF) ? "unsliced" : String.format(Locale.ROOT, "sliced above %d MiB of scores",
                maxScoreBytes >> 20);
    }
}
