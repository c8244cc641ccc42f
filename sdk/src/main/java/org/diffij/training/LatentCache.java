package org.diffij.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.diffij.models.vae.AutoencoderKL;
import org.diffij.models.vae.LatentDistribution;

/**
 * The VAE's latent distribution of every training image, encoded once per image and flip and kept
 * for the whole run; each step draws {@code mean + std · ε} from it as the diffusers scripts'
 * {@code latent_dist.sample()} does, so caching changes the cost, not the training.
 */
final class LatentCache {

    private record Key(TrainingData.Item item, boolean flip) {
    }

    private record Cached(NDArray mean, NDArray std) {
    }

    private final AutoencoderKL vae;
    private final NDManager manager;
    private final Map<Key, Cached> cache = new HashMap<>();

    LatentCache(AutoencoderKL vae, NDManager manager) {
        this.vae = vae;
        this.manager = manager;
    }

    /**
     * The scaled latents of a batch (all samples share one size), drawn with the engine's generator
     * into {@code scope}: {@code (sample - shift) · scaling_factor}.
     */
    NDArray draw(List<TrainingData.Sample> samples, NDManager scope) {
        NDList means = new NDList();
        NDList stds = new NDList();
        for (TrainingData.Sample sample : samples) {
            Cached c = cache.computeIfAbsent(new Key(sample.item(), sample.flip()), k -> encode(sample));
            means.add(c.mean());
            stds.add(c.std());
        }
        NDArray mean = stacked(means, scope);
        NDArray std = stacked(stds, scope);
        // Every product starts from the scope's draw, so nothing lands in the long-lived cache scope.
        NDArray latents = scope.randomNormal(mean.getShape(), mean.getDataType()).mul(std).add(mean);
        float shift = vae.config().shiftFactor();
        return (shift == 0 ? latents : latents.sub(shift)).mul(vae.config().scalingFactor());
    }

    /** One array along the batch axis: the only one as it is, else their concatenation, owned by {@code scope}. */
    static NDArray stacked(NDList arrays, NDManager scope) {
        if (arrays.size() == 1) {
            return arrays.get(0);
        }
        NDArray stacked = NDArrays.concat(arrays, 0);
        stacked.attach(scope);
        return stacked;
    }

    int size() {
        return cache.size();
    }

    private Cached encode(TrainingData.Sample sample) {
        try (NDManager work = manager.newSubManager()) {
            NDArray pixels = TrainingData.pixels(work, sample);
            LatentDistribution d = vae.encode(pixels);
            NDArray mean = d.mean().duplicate();
            NDArray std = d.std().duplicate();
            mean.attach(manager);
            std.attach(manager);
            return new Cached(mean, std);
        }
    }
}
