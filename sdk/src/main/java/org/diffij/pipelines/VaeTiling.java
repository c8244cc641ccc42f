package org.diffij.pipelines;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.function.Function;
import org.diffij.DiffijException;
import org.diffij.engine.Tensors;
import org.diffij.models.vae.AutoencoderKL;
import org.diffij.models.vae.LatentDistribution;

/**
 * VAE decoding and encoding in overlapping square tiles, so that the memory a pass needs is that of
 * one tile whatever the image size. Tiles are laid out on the latent grid, evenly spaced with at
 * least {@code overlap} latents shared by neighbours; each tile is computed on its own and its
 * output is weighted by a ramp that rises linearly across the overlap with the previous tile and
 * falls across the overlap with the next one (per axis; the weight of a pixel is the product), so
 * the output fades from one tile to the next instead of jumping at a border. Decoding blends the
 * decoded pixels; encoding blends the latent means and log-variances. Tiles see only their own
 * region (GroupNorm statistics and the mid-block attention are per tile), so the result differs a
 * little from an untiled pass, as it does in diffusers' tiled VAE.
 *
 * @param tile    tile edge in latents (the image tile is {@code tile × downscale} pixels)
 * @param overlap latents shared by neighbouring tiles, at most half the tile
 */
public record VaeTiling(int tile, int overlap) {

    public VaeTiling {
        if (tile < 2 || overlap < 1 || 2 * overlap > tile) {
            throw new DiffijException("VAE tiles of " + tile + " latents with an overlap of " + overlap
                    + " are not possible; use tiles of at least 2 latents overlapping by 1 to tile/2");
        }
    }

    /** The image of {@code latents (B, latent_channels, h, w)} (already unscaled), like {@link AutoencoderKL#decode}. */
    public NDArray decode(AutoencoderKL vae, NDArray latents) {
        int factor = vae.config().downscale();
        return blend(latents, 1, factor, vae.config().outChannels(), tileInput -> new NDArray[] {vae.decode(tileInput)})[0];
    }

    /** The latent distribution of {@code image (B, in_channels, H, W)} in [-1, 1], like {@link AutoencoderKL#encode}. */
    public LatentDistribution encode(AutoencoderKL vae, NDArray image) {
        int factor = vae.config().downscale();
        long[] s = image.getShape().getShape();
        if (s.length != 4 || s[2] % factor != 0 || s[3] % factor != 0) {
            throw new DiffijException("VAE image has shape " + image.getShape() + "; expected (batch, channels, H, W)"
                    + " with H and W multiples of " + factor);
        }
        NDArray[] moments = blend(image, factor, 1, vae.config().latentChannels(), tileInput -> {
            LatentDistribution d = vae.encode(tileInput);
            return new NDArray[] {d.mean(), d.logvar()};
        });
        return new LatentDistribution(moments[0], moments[1], moments[1].mul(0.5f).exp());
    }

    /**
     * Runs {@code pass} on every tile of {@code input} and blends its outputs (which must cover the
     * tile's region at {@code outputScale} per latent, with {@code outChannels} channels).
     *
     * @param inputScale  input units per latent (1 for latents, the downscale factor for images)
     * @param outputScale output units per latent
     */
    NDArray[] blend(NDArray input, int inputScale, int outputScale, int outChannels,
            Function<NDArray, NDArray[]> pass) {
        long[] s = input.getShape().getShape();
        int batch = Math.toIntExact(s[0]);
        int latentHeight = Math.toIntExact(s[2] / inputScale);
        int latentWidth = Math.toIntExact(s[3] / inputScale);
        int[] rows = starts(latentHeight);
        int[] columns = starts(latentWidth);
        int tileHeight = Math.min(tile, latentHeight);
        int tileWidth = Math.min(tile, latentWidth);
        float[][] rowWeights = weights(rows, tileHeight, outputScale);
        float[][] columnWeights = weights(columns, tileWidth, outputScale);
        int outHeight = latentHeight * outputScale;
        int outWidth = latentWidth * outputScale;
        float[][] sums = null;
        float[] weightSum = new float[outHeight * outWidth];
        NDManager owner = input.getManager();
        for (int r = 0; r < rows.length; r++) {
            for (int c = 0; c < columns.length; c++) {
                float[][] outputs;
                try (NDManager scope = owner.newSubManager()) {
                    input.tempAttach(scope);
                    NDArray region = input.get(":, :, " + rows[r] * inputScale + ":" + (rows[r] + tileHeight) * inputScale
                            + ", " + columns[c] * inputScale + ":" + (columns[c] + tileWidth) * inputScale);
                    NDArray[] results = pass.apply(region);
                    outputs = new float[results.length][];
                    for (int i = 0; i < results.length; i++) {
                        outputs[i] = Tensors.toHost(results[i].toType(DataType.FLOAT32, false)).toFloatArray();
                    }
                }
                if (sums == null) {
                    sums = new float[outputs.length][batch * outChannels * outHeight * outWidth];
                }
                accumulate(outputs, sums, weightSum, rows[r] * outputScale, columns[c] * outputScale,
                        rowWeights[r], columnWeights[c], batch * outChannels, outHeight, outWidth);
            }
        }
        NDArray[] blended = new NDArray[sums.length];
        for (int i = 0; i < sums.length; i++) {
            float[] values = sums[i];
            int plane = outHeight * outWidth;
            for (int j = 0; j < values.length; j++) {
                values[j] /= weightSum[j % plane];
            }
            blended[i] = owner.create(values, new Shape(batch, outChannels, outHeight, outWidth))
                    .toType(input.getDataType(), false);
        }
        return blended;
    }

    private static void accumulate(float[][] outputs, float[][] sums, float[] weightSum, int top, int left,
            float[] rowWeight, float[] columnWeight, int planes, int outHeight, int outWidth) {
        int th = rowWeight.length;
        int tw = columnWeight.length;
        for (int y = 0; y < th; y++) {
            for (int x = 0; x < tw; x++) {
                weightSum[(top + y) * outWidth + left + x] += rowWeight[y] * columnWeight[x];
            }
        }
        for (int i = 0; i < outputs.length; i++) {
            float[] out = outputs[i];
            float[] sum = sums[i];
            for (int p = 0; p < planes; p++) {
                for (int y = 0; y < th; y++) {
                    int source = (p * th + y) * tw;
                    int target = (p * outHeight + top + y) * outWidth + left;
                    float wy = rowWeight[y];
                    for (int x = 0; x < tw; x++) {
                        sum[target + x] += wy * columnWeight[x] * out[source + x];
                    }
                }
            }
        }
    }

    /** Tile starts along an axis of {@code length} latents: evenly spaced, the last one flush with the end. */
    int[] starts(int length) {
        if (length <= tile) {
            return new int[] {0};
        }
        int count = 1 + (int) Math.ceil((double) (length - tile) / (tile - overlap));
        int[] starts = new int[count];
        for (int i = 0; i < count; i++) {
            starts[i] = (int) Math.round((double) i * (length - tile) / (count - 1));
        }
        return starts;
    }

    /**
     * Per tile, the weight of each output position along the axis: 1 inside, a linear ramp across
     * the region shared with the previous tile (rising) and with the next one (falling). Two
     * neighbours' ramps over the same region add up to 1.
     */
    static float[][] weights(int[] starts, int tileLength, int scale) {
        float[][] weights = new float[starts.length][tileLength * scale];
        for (int k = 0; k < starts.length; k++) {
            float[] w = weights[k];
            int begin = starts[k] * scale;
            for (int i = 0; i < w.length; i++) {
                int p = begin + i;
                float value = 1f;
                if (k > 0) {
                    value *= ramp(p, begin, (starts[k - 1] + tileLength) * scale);
                }
                if (k < starts.length - 1) {
                    value *= 1f - ramp(p, starts[k + 1] * scale, begin + tileLength * scale);
                }
                w[i] = value;
            }
        }
        return weights;
    }

    /** 0 → 1 across {@code [from, to)} at pixel centres; 0 before, 1 after. */
    private static float ramp(int p, int from, int to) {
        if (p < from) {
            return 0f;
        }
        if (p >= to) {
            return 1f;
        }
        return (p - from + 0.5f) / (to - from);
    }
}
