package org.diffij.pipelines;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.file.Files;
import java.nio.file.Path;
import org.diffij.DiffijException;
import org.diffij.io.Json;
import org.diffij.io.WeightSet;
import org.diffij.models.checkpoint.VaeFile;
import org.diffij.models.vae.AutoencoderKL;
import org.diffij.models.vae.AutoencoderKLConfig;
import org.diffij.nn.ParameterLoader;

/**
 * A VAE that replaces a model's own, as A1111's VAE selection and diffusers' {@code vae=} do (e.g.
 * {@code vae-ft-mse-840000} for SD 1.x): a diffusers VAE folder ({@code config.json} beside its
 * weights, or a pipeline folder's {@code vae/}) with its own config, or a single file, which has the
 * model's own VAE architecture. Its values are scanned as third-party weights are.
 */
final class SeparateVae {

    private SeparateVae() {
    }

    /** The folder or file that holds the VAE's weights: a pipeline folder's {@code vae/} when given the pipeline. */
    static Path weightsOf(Path vae) {
        if (Files.isDirectory(vae) && !Files.isRegularFile(vae.resolve("config.json"))
                && Files.isRegularFile(vae.resolve("vae/config.json"))) {
            return vae.resolve("vae");
        }
        if (Files.isDirectory(vae) && !Files.isRegularFile(vae.resolve("config.json"))) {
            throw new DiffijException(vae + " is not a VAE: a diffusers VAE folder has config.json beside its weights "
                    + "(or give a VAE .safetensors file)");
        }
        return vae;
    }

    /**
     * @param own the model's own VAE config: the architecture of a single-file VAE, and what every VAE
     *            must agree with (its latents are what the UNet denoises)
     */
    static AutoencoderKL load(Path vae, AutoencoderKLConfig own, NDManager manager, DataType computeType) {
        Path source = weightsOf(vae);
        if (!Files.isDirectory(source)) {
            try (WeightSet weights = WeightSet.open(source)) {
                return new AutoencoderKL(own, new ParameterLoader(VaeFile.diffusersNamed(weights,
                        own.blockOutChannels().length, source), manager, computeType, "the VAE " + source)
                        .checkingValues());
            }
        }
        AutoencoderKLConfig config = AutoencoderKLConfig.from(Json.readObject(source.resolve("config.json")),
                source.resolve("config.json").toString());
        if (config.latentChannels() != own.latentChannels()) {
            throw new DiffijException("the VAE " + vae + " makes " + config.latentChannels() + "-channel latents, the "
                    + "model's UNet works on " + own.latentChannels() + ": use a VAE made for this model's "
                    + "architecture");
        }
        try (WeightSet weights = WeightSet.openFolder(source)) {
            return new AutoencoderKL(config, new ParameterLoader(weights, manager, computeType, "the VAE " + source)
                    .checkingValues());
        }
    }
}
