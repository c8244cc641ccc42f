package org.diffij.models.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.file.Path;
import org.diffij.DiffijException;
import org.diffij.engine.CachedModel;
import org.diffij.engine.JobContext;
import org.diffij.io.Json;
import org.diffij.io.WeightSet;
import org.diffij.io.Weights;
import org.diffij.nn.Conv2d;
import org.diffij.nn.ParameterLoader;
import org.diffij.nn.ParameterTree;
import org.diffij.nn.ParameterizedModel;
import org.diffij.nn.Params;
import org.diffij.nn.ScalarOps;

/**
 * The Stable Diffusion VAE: {@link #encode} an image in [-1, 1] to a latent distribution,
 * {@link #decode} latents back to an image. Scaling by {@code scaling_factor} is the pipeline's
 * business ({@link AutoencoderKLConfig#scalingFactor()}), not done here, as in diffusers.
 */
public final class AutoencoderKL implements CachedModel, ParameterizedModel {

    private static final float LOGVAR_MIN = -30f;
    private static final float LOGVAR_MAX = 20f;

    private final AutoencoderKLConfig config;
    private final Encoder encoder;
    private final Conv2d quantConv;
    private final Conv2d postQuantConv;
    private final Decoder decoder;
    private final long bytes;
    private final ParameterTree parameters;

    public AutoencoderKL(AutoencoderKLConfig config, Weights weights, NDManager manager, DataType computeType) {
        this(config, new ParameterLoader(weights, manager, computeType, "AutoencoderKL"));
    }

    /** Built from the loader's parameters (read from weights, or made up for benchmarks). */
    public AutoencoderKL(AutoencoderKLConfig config, ParameterLoader loader) {
        this.config = config;
        Params p = loader.root();
        long moments = 2L * config.latentChannels();
        this.encoder = new Encoder(p.at("encoder"), config);
        this.quantConv = config.useQuantConv() ? new Conv2d(p.at("quant_conv"), moments, moments, 1, 1, 0) : null;
        this.postQuantConv = config.usePostQuantConv() ? new Conv2d(p.at("post_quant_conv"), config.latentChannels(),
                config.latentChannels(), 1, 1, 0) : null;
        this.decoder = new Decoder(p.at("decoder"), config);
        loader.finish();
        this.bytes = loader.bytes();
        this.parameters = loader.tree();
    }

    /** A diffusers {@code vae/} folder. */
    public static AutoencoderKL load(Path folder, NDManager manager, DataType computeType) {
        AutoencoderKLConfig config = AutoencoderKLConfig.from(Json.readObject(folder.resolve("config.json")), folder.toString());
        try (WeightSet weights = WeightSet.openFolder(folder)) {
            return new AutoencoderKL(config, weights, manager, computeType);
        }
    }

    /**
     * A diffusers {@code vae/} folder through the engine's model cache: loaded once per folder and
     * compute dtype, pinned while the job runs.
     */
    public static AutoencoderKL cached(JobContext ctx, Path folder) {
        DataType type = ctx.engine().computeType();
        return ctx.model("vae:" + folder.toAbsolutePath().normalize() + ":" + type, m -> load(folder, m, type));
    }

    public AutoencoderKLConfig config() {
        return config;
    }

    /** {@code image (B, in_channels, H, W)} in [-1, 1], H and W multiples of the downscale factor. */
    public LatentDistribution encode(NDArray image) {
        long[] s = image.getShape().getShape();
        int f = config.downscale();
        if (s.length != 4 || s[1] != config.inChannels() || s[2] % f != 0 || s[3] % f != 0) {
            throw new DiffijException("VAE image has shape " + image.getShape() + "; expected (batch, "
                    + config.inChannels() + ", H, W) with H and W multiples of " + f);
        }
        NDArray h = encoder.forward(image);
        if (quantConv != null) {
            h = quantConv.forward(h);
        }
        NDList halves = h.split(2, 1);
        NDArray logvar = halves.get(1).clip(LOGVAR_MIN, LOGVAR_MAX);
        return new LatentDistribution(halves.get(0), logvar, ScalarOps.mul(logvar, 0.5).exp());
    }

    /** {@code latents (B, latent_channels, h, w)}, already divided by the scaling factor. */
    public NDArray decode(NDArray latents) {
        long[] s = latents.getShape().getShape();
        if (s.length != 4 || s[1] != config.latentChannels()) {
            throw new DiffijException("VAE latents have shape " + latents.getShape() + "; expected (batch, "
                    + config.latentChannels() + ", h, w)");
        }
        return decoder.forward(postQuantConv != null ? postQuantConv.forward(latents) : latents);
    }

    @Override
    public ParameterTree parameters() {
        return parameters;
    }

    @Override
    public long sizeBytes() {
        return bytes;
    }
}
