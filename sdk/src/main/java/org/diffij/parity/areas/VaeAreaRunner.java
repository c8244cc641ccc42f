package org.diffij.parity.areas;

import ai.djl.ndarray.types.DataType;
import java.nio.file.Path;
import java.util.Map;
import org.diffij.engine.DiffijEngine;
import org.diffij.engine.Tensors;
import org.diffij.io.HostTensor;
import org.diffij.models.vae.AutoencoderKL;
import org.diffij.models.vae.LatentDistribution;
import org.diffij.parity.AreaRunner;
import org.diffij.parity.GoldenCase;

/** The {@code vae} golden area: the latent distribution of an image and the decoding of given latents. */
public final class VaeAreaRunner implements AreaRunner {

    @Override
    public String area() {
        return "vae";
    }

    @Override
    public Map<String, HostTensor> run(GoldenCase golden) {
        Path folder = golden.modelPath().resolve("vae");
        DiffijEngine engine = DiffijEngine.get();
        DataType type = engine.computeType();
        return engine.queue().run("vae " + golden.id(), ctx -> {
            AutoencoderKL vae = AutoencoderKL.cached(ctx, folder);
            LatentDistribution latent = vae.encode(Tensors.toNDArray(ctx.manager(), golden.input("image"), type));
            return Map.of(
                    "latent_mean", Tensors.toHost(latent.mean()),
                    "latent_std", Tensors.toHost(latent.std()),
                    "latent_logvar", Tensors.toHost(latent.logvar()),
                    "decoded", Tensors.toHost(vae.decode(Tensors.toNDArray(ctx.manager(), golden.input("latents"),
                            type))));
        });
    }
}
