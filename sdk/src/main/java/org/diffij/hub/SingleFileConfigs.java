package org.diffij.hub;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.diffij.DiffijException;
import org.diffij.io.WeightSet;

/**
 * Gives a single-file checkpoint (A1111 / Civitai / original LDM layout) the component configs and
 * tokenizers it lacks, from the hub repo that diffusers takes them from for its architecture, found in
 * the hub cache: SD 1.x, SD 2.x, SDXL base, each with its 9-channel inpainting variant. A config-only
 * pull of that repo ({@code --include "*.json" --include "*.txt"}, a few MB) is enough.
 */
public final class SingleFileConfigs {

    /** An architecture a checkpoint's keys reveal, with the repos (current name first) holding its configs. */
    public enum Architecture {
        SD1("SD 1.x", List.of("stable-diffusion-v1-5/stable-diffusion-v1-5", "runwayml/stable-diffusion-v1-5")),
        SD1_INPAINTING("SD 1.x inpainting", List.of("stable-diffusion-v1-5/stable-diffusion-inpainting",
                "runwayml/stable-diffusion-inpainting")),
        // As diffusers: an SD 2.x checkpoint is taken for 2.1 (768, v-prediction); a 512 ε model needs --config.
        SD2("SD 2.x", List.of("stabilityai/stable-diffusion-2-1")),
        SD2_INPAINTING("SD 2.x inpainting", List.of("stabilityai/stable-diffusion-2-inpainting")),
        SDXL("SDXL", List.of("stabilityai/stable-diffusion-xl-base-1.0")),
        SDXL_INPAINTING("SDXL inpainting", List.of("diffusers/stable-diffusion-xl-1.0-inpainting-0.1"));

        private final String label;
        private final List<String> repos;

        Architecture(String label, List<String> repos) {
            this.label = label;
            this.repos = repos;
        }

        public String label() {
            return label;
        }

        public List<String> repos() {
            return repos;
        }
    }

    private static final String CONV_IN = "model.diffusion_model.input_blocks.0.0.weight";

    private SingleFileConfigs() {
    }

    /** The architecture of a single-file checkpoint, from its tensor names and its UNet's input channels. */
    public static Architecture detect(Path checkpoint) {
        try (WeightSet weights = WeightSet.open(checkpoint)) {
            Set<String> names = weights.names();
            if (!names.contains(CONV_IN)) {
                throw new DiffijException(checkpoint.getFileName() + " is not a single-file Stable Diffusion "
                        + "checkpoint (no " + CONV_IN + "): name a diffusers folder, or the checkpoint itself");
            }
            boolean inpainting = weights.info(CONV_IN).shape()[1] == 9;
            if (names.stream().anyMatch(n -> n.startsWith("conditioner.embedders."))) {
                return inpainting ? Architecture.SDXL_INPAINTING : Architecture.SDXL;
            }
            if (names.stream().anyMatch(n -> n.startsWith("cond_stage_model.model."))) {
                return inpainting ? Architecture.SD2_INPAINTING : Architecture.SD2;
            }
            return inpainting ? Architecture.SD1_INPAINTING : Architecture.SD1;
        }
    }

    /**
     * The cached snapshot of the repo giving this checkpoint's configs and tokenizers; a one-line error
     * naming the repo to pull when the cache has none.
     */
    public static Path configFolder(Path checkpoint, HubSettings hub) {
        Architecture architecture = detect(checkpoint);
        HubCache cache = new HubCache(hub.cache());
        for (String repo : architecture.repos()) {
            Optional<Path> snapshot = cache.find(RepoReference.require(repo));
            if (snapshot.isPresent()) {
                return snapshot.get();
            }
        }
        String repo = architecture.repos().get(0);
        throw new DiffijException(checkpoint.getFileName() + " is a single-file " + architecture.label()
                + " checkpoint whose configs and tokenizer come from " + repo + ", which is not in the hub cache "
                + hub.cache() + ": " + (hub.offline() ? "when online (HF_HUB_OFFLINE=1 is set) " : "") + "run diffij "
                + "models pull " + repo + " --include \"*.json\" --include \"*.txt\" (a few MB), or give --config "
                + "DIR (a diffusers folder of the same architecture)");
    }
}
