package org.diffij.hub;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.diffij.DiffijException;
import org.diffij.io.DiffijHome;
import org.diffij.io.WeightSet;

/**
 * Gives a single-file checkpoint (A1111 / Civitai / original LDM layout) the component configs and
 * tokenizers it lacks, for SD 1.x, SD 2.x, SDXL base, each with its 9-channel inpainting variant: the
 * configs of the hub repo that diffusers takes them from for its architecture when the hub cache has them
 * (a config-only pull, {@code --include "*.json" --include "*.txt"}), else Diffij's built-in configs
 * ({@link BuiltInConfigs}) with a CLIP vocabulary from the cache, pulled once when the hub may be asked
 * ({@link ClipVocabulary}). The built-in configs are those of the public models, so they serve only a
 * checkpoint of those sizes.
 */
public final class SingleFileConfigs {

    /**
     * An architecture a checkpoint's keys reveal, with the id of its built-in configs and the repos
     * (current name first) holding diffusers' configs.
     */
    public enum Architecture {
        SD1("SD 1.x", "sd1", List.of("stable-diffusion-v1-5/stable-diffusion-v1-5", "runwayml/stable-diffusion-v1-5")),
        SD1_INPAINTING("SD 1.x inpainting", "sd1-inpainting", List.of(
                "stable-diffusion-v1-5/stable-diffusion-inpainting", "runwayml/stable-diffusion-inpainting")),
        /** SD 2.x at 768 predicting v (2.0-v, 2.1): what a 2.x checkpoint is taken for unless it says otherwise. */
        SD2("SD 2.x", "sd2", List.of("stabilityai/stable-diffusion-2-1")),
        /** SD 2.x base at 512 predicting noise (2.0-base, 2.1-base), told apart by the checkpoint's own records. */
        SD2_BASE("SD 2.x base (512, ε)", "sd2-base", List.of("stabilityai/stable-diffusion-2-1-base",
                "stabilityai/stable-diffusion-2-base")),
        SD2_INPAINTING("SD 2.x inpainting", "sd2-inpainting", List.of("stabilityai/stable-diffusion-2-inpainting")),
        SDXL("SDXL", "sdxl", List.of("stabilityai/stable-diffusion-xl-base-1.0")),
        SDXL_INPAINTING("SDXL inpainting", "sdxl-inpainting", List.of("diffusers/stable-diffusion-xl-1.0-inpainting-0.1"));

        private final String label;
        private final String configId;
        private final List<String> repos;

        Architecture(String label, String configId, List<String> repos) {
            this.label = label;
            this.configId = configId;
            this.repos = repos;
        }

        public String label() {
            return label;
        }

        /** The folder name of its built-in configs. */
        public String configId() {
            return configId;
        }

        public List<String> repos() {
            return repos;
        }

        public boolean isXl() {
            return this == SDXL || this == SDXL_INPAINTING;
        }

        /** Whether it is an SD 2.x (OpenCLIP ViT-H text encoder) architecture. */
        public boolean isSd2() {
            return this == SD2 || this == SD2_BASE || this == SD2_INPAINTING;
        }
    }

    private static final String CONV_IN = "model.diffusion_model.input_blocks.0.0.weight";
    private static final String UNET_PREFIX = "model.diffusion_model.";
    private static final String CROSS_ATTENTION_KEY = "attn2.to_k.weight";
    /** The {@code global_step} of Stability's 512-base-ema.ckpt, diffusers' sign of an ε SD 2.x file. */
    private static final String SD2_BASE_GLOBAL_STEP = "875000";

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
                return inpainting ? Architecture.SD2_INPAINTING
                        : predictsNoise(weights.metadata()) ? Architecture.SD2_BASE : Architecture.SD2;
            }
            return inpainting ? Architecture.SD1_INPAINTING : Architecture.SD1;
        }
    }

    /**
     * Whether an SD 2.x checkpoint's own records say it predicts noise at 512 (the 2.x base models):
     * its {@code modelspec.*} metadata (Stability's model spec, which kohya's scripts and others write:
     * {@code prediction_type} "epsilon" or "v", else an {@code architecture} ending in "-v" for v), else,
     * for an original {@code .ckpt}, the training step diffusers goes by (875000 is 2.0-base's last). Its
     * weights do not tell, so without a record it is taken for a v model, as diffusers takes it.
     */
    static boolean predictsNoise(Map<String, String> metadata) {
        String prediction = metadata.getOrDefault("modelspec.prediction_type", "").trim().toLowerCase(Locale.ROOT);
        if (!prediction.isEmpty()) {
            return prediction.equals("epsilon");
        }
        String architecture = metadata.getOrDefault("modelspec.architecture", "").trim().toLowerCase(Locale.ROOT);
        if (architecture.startsWith("stable-diffusion-v2")) {
            return !architecture.endsWith("-v");
        }
        return metadata.getOrDefault("global_step", "").trim().equals(SD2_BASE_GLOBAL_STEP);
    }

    /**
     * Where the checkpoint's UNet differs from the built-in config of its architecture (its first
     * width, its text-conditioning width), in words, or empty when it has the public model's sizes and
     * the built-in configs serve it. Reads the file's header only.
     */
    public static Optional<String> builtInMismatch(Path checkpoint, Architecture architecture) {
        JsonObject unet = BuiltInConfigs.unetConfig(architecture);
        int width = unet.getAsJsonArray("block_out_channels").get(0).getAsInt();
        int context = unet.get("cross_attention_dim").getAsInt();
        try (WeightSet weights = WeightSet.open(checkpoint)) {
            long checkpointWidth = weights.info(CONV_IN).shape()[0];
            if (checkpointWidth != width) {
                return Optional.of("its UNet is " + checkpointWidth + " channels wide where " + architecture.label()
                        + " has " + width);
            }
            Optional<String> crossAttention = weights.names().stream()
                    .filter(n -> n.startsWith(UNET_PREFIX) && n.endsWith(CROSS_ATTENTION_KEY)).findFirst();
            if (crossAttention.isEmpty()) {
                return Optional.of("its UNet has no cross-attention (" + CROSS_ATTENTION_KEY + ")");
            }
            long[] shape = weights.info(crossAttention.get()).shape();
            if (shape.length != 2 || shape[1] != context) {
                return Optional.of("its UNet's text conditioning is " + shape[shape.length - 1] + " wide where "
                        + architecture.label() + " has " + context);
            }
            return Optional.empty();
        }
    }

    /**
     * The cached snapshot of the architecture's repo when it holds the configs; else the built-in configs
     * of the architecture with a CLIP vocabulary, installed under {@code home} ({@link BuiltInConfigs});
     * a one-line error saying what to pull or give when neither serves.
     */
    public static Path configFolder(Path checkpoint, HubSettings hub, Path home) {
        Architecture architecture = detect(checkpoint);
        Optional<Path> snapshot = cachedConfigs(architecture, hub);
        if (snapshot.isPresent()) {
            return snapshot.get();
        }
        String repo = architecture.repos().get(0);
        Optional<String> mismatch = builtInMismatch(checkpoint, architecture);
        if (mismatch.isPresent()) {
            throw new DiffijException(checkpoint.getFileName() + " is a single-file " + architecture.label()
                    + " checkpoint of other sizes than Diffij's built-in configs (" + mismatch.get() + "), so its "
                    + "configs and tokenizer come from " + repo + ", which is not in the hub cache " + hub.cache() + ": "
                    + (hub.offline() ? "when online (HF_HUB_OFFLINE=1 is set) " : "") + "run diffij models pull "
                    + repo + " --include \"*.json\" --include \"*.txt\" (a few MB), or give --config DIR (a diffusers "
                    + "folder of the same architecture)");
        }
        Path vocabulary = ClipVocabulary.require(hub, checkpoint.getFileName() + " (a single-file "
                + architecture.label() + " checkpoint, configs built into Diffij)");
        return BuiltInConfigs.installed(architecture, vocabulary, home);
    }

    /** As {@link #configFolder(Path, HubSettings, Path)}, installing built-in configs in the Diffij home. */
    public static Path configFolder(Path checkpoint, HubSettings hub) {
        return configFolder(checkpoint, hub, DiffijHome.folder());
    }

    /** The cached snapshot of one of the architecture's repos that holds its model index and UNet config. */
    public static Optional<Path> cachedConfigs(Architecture architecture, HubSettings hub) {
        HubCache cache = new HubCache(hub.cache());
        return architecture.repos().stream().flatMap(repo -> cache.find(RepoReference.require(repo)).stream())
                .filter(s -> Files.isRegularFile(s.resolve("model_index.json"))
                        && Files.isRegularFile(s.resolve("unet").resolve("config.json")))
                .findFirst();
    }
}
