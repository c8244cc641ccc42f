package org.diffij.training;

import com.google.gson.Gson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.diffij.DiffijException;
import org.diffij.engine.Tensors;
import org.diffij.io.HostTensor;
import org.diffij.io.ModelHash;
import org.diffij.io.SafetensorsWriter;
import org.diffij.io.pickle.PickleTree;
import org.diffij.models.lora.KohyaNames;

/**
 * A trained LoRA in the files other tools load. {@code kohya}: kohya's sd-scripts layout, which
 * A1111, ComfyUI, Civitai and kohya read — {@code lora_unet_…} / {@code lora_te_…} (SDXL:
 * {@code lora_te1_…}, {@code lora_te2_…} and LDM UNet names) with {@code .lora_down.weight},
 * {@code .lora_up.weight} and a float32 scalar {@code .alpha}, convolutions as {@code [·, ·, 1, 1]}
 * kernels, and kohya's {@code ss_*}, ModelSpec and {@code sshs_*} metadata. {@code diffusers}: what
 * diffusers' training scripts save ({@code pytorch_lora_weights.safetensors}): PEFT names with the
 * component in front, renamed as diffusers' {@code convert_state_dict_to_diffusers} renames them, and
 * no alpha, which diffusers takes to be the rank: alpha / rank is folded into {@code up}.
 */
final class LoraFiles {

    static final String KOHYA = "kohya";
    static final String DIFFUSERS = "diffusers";
    private static final String EXTENSION = ".safetensors";
    private static final String DIFFUSERS_FILE = "pytorch_lora_weights.safetensors";

    private LoraFiles() {
    }

    /**
     * Where each format goes: the first to {@code output}, a later kohya file beside it as
     * {@code <name>-kohya.safetensors}, a later diffusers file as
     * {@code <name>-diffusers/pytorch_lora_weights.safetensors} (the folder diffusers' {@code load_lora_weights} takes).
     */
    static List<Path> files(Path output, List<String> formats) {
        List<Path> files = new ArrayList<>();
        for (String format : formats) {
            if (!format.equals(KOHYA) && !format.equals(DIFFUSERS)) {
                throw new DiffijException("LoRA format '" + format + "' is not known; use " + KOHYA + " or "
                        + DIFFUSERS);
            }
            if (files.isEmpty()) {
                files.add(OutputFiles.first(output, format, EXTENSION));
            } else {
                files.add(format.equals(KOHYA) ? Trainer.sibling(output, "-kohya", EXTENSION)
                        : Trainer.sibling(output, "-diffusers", "").resolve(DIFFUSERS_FILE));
            }
        }
        return files;
    }

    /** Writes the adapters in every format (each file atomically); returns the files, the first format's first. */
    static List<Path> write(LoraNetwork network, KohyaNames names, Path output, List<String> formats,
            TrainingProvenance provenance, boolean overwrite) {
        List<Path> files = files(output, formats);
        OutputFiles.requireNew(files, overwrite);
        for (int i = 0; i < formats.size(); i++) {
            Path file = files.get(i);
            switch (formats.get(i)) {
                case KOHYA -> writeKohya(file, kohyaTensors(network, names), kohyaMetadata(network, provenance,
                        Trainer.stem(output)), provenance.metadata());
                case DIFFUSERS -> {
                    Map<String, String> metadata = new LinkedHashMap<>(provenance.metadata());
                    metadata.put("format", "pt");
                    SafetensorsWriter.write(file, diffusersTensors(network), metadata);
                }
                default -> throw new IllegalStateException(formats.get(i));
            }
        }
        return files;
    }

    /** kohya's state dict: per layer {@code <kohya name>.lora_down.weight}, {@code .lora_up.weight}, {@code .alpha}. */
    static Map<String, HostTensor> kohyaTensors(LoraNetwork network, KohyaNames names) {
        Map<String, HostTensor> tensors = new TreeMap<>();
        for (LoraNetwork.Module m : network.modules()) {
            String name = names.kohyaName(m.component(), m.path());
            tensors.put(name + ".lora_down.weight", kernel(m, Tensors.toHost(m.down())));
            tensors.put(name + ".lora_up.weight", kernel(m, Tensors.toHost(m.up())));
            tensors.put(name + ".alpha", HostTensor.scalar(m.alpha()));
        }
        return tensors;
    }

    /** diffusers' state dict: {@code <component>.<module>} and the part as diffusers names it, alpha / rank in up. */
    static Map<String, HostTensor> diffusersTensors(LoraNetwork network) {
        Map<String, HostTensor> tensors = new TreeMap<>();
        for (LoraNetwork.Module m : network.modules()) {
            String prefix = m.component() + "." + m.path();
            String[] parts = diffusersParts(m.path());
            tensors.put(prefix + parts[0], kernel(m, Tensors.toHost(m.down())));
            tensors.put(prefix + parts[1], kernel(m, scaled(Tensors.toHost(m.up()), m.scale())));
        }
        return tensors;
    }

    /**
     * The down and up suffixes diffusers' {@code convert_state_dict_to_diffusers} gives a PEFT
     * module: {@code .lora.down/up} on the UNet's attention projections, {@code .lora_linear_layer.down/up}
     * on CLIP's, PEFT's {@code .lora_A/B} everywhere else.
     */
    private static String[] diffusersParts(String module) {
        if (module.matches(".*\\.(to_q|to_k|to_v|to_out\\.0)")) {
            return new String[] {".lora.down.weight", ".lora.up.weight"};
        }
        if (module.matches(".*\\.(q_proj|k_proj|v_proj|out_proj)")) {
            return new String[] {".lora_linear_layer.down.weight", ".lora_linear_layer.up.weight"};
        }
        return new String[] {".lora_A.weight", ".lora_B.weight"};
    }

    /** {@code tensor · scale} in float32, on the host (as torch would round it). */
    private static HostTensor scaled(HostTensor tensor, float scale) {
        if (scale == 1f) {
            return tensor;
        }
        float[] values = tensor.toFloatArray();
        for (int i = 0; i < values.length; i++) {
            values[i] *= scale;
        }
        return HostTensor.ofFloats(values, tensor.shape());
    }

    /**
     * A matrix of an adapted convolution as the {@code [·, ·, 1, 1]} kernel kohya and PEFT store (a
     * LoCon down already has the layer's kernel shape).
     */
    private static HostTensor kernel(LoraNetwork.Module m, HostTensor matrix) {
        if (!m.convolution() || matrix.shape().length == 4) {
            return matrix;
        }
        long[] shape = matrix.shape();
        return new HostTensor(matrix.dtype(), new long[] {shape[0], shape[1], 1, 1}, matrix.bytes());
    }

    /**
     * kohya's metadata as far as the run knows it: train_network.py's {@code ss_*} keys and the
     * ModelSpec keys of its {@code sai_model_spec}.
     */
    static Map<String, String> kohyaMetadata(LoraNetwork network, TrainingProvenance p, String title) {
        TrainingRequest r = p.request();
        DataOptions d = r.dataOptions();
        Gson gson = new Gson();
        int batchesPerEpoch = p.data().epoch(0, r.batch()).size();
        long epochs = (p.totalSteps() * r.gradientAccumulation() + batchesPerEpoch - 1) / batchesPerEpoch;
        double textLr = r.lrTextEncoder() > 0 ? r.lrTextEncoder() : r.lrUnet();
        Map<String, String> m = new LinkedHashMap<>();
        m.put("ss_training_started_at", python(p.startedAt()));
        m.put("ss_training_finished_at", python(System.currentTimeMillis() / 1000.0));
        m.put("ss_output_name", title);
        m.put("ss_learning_rate", python(r.lrUnet()));
        m.put("ss_unet_lr", python(r.lrUnet()));
        m.put("ss_text_encoder_lr", r.lora().trainTextEncoder() ? python(textLr) : "None");
        m.put("ss_num_train_images", Integer.toString(p.data().samplesPerEpoch()));
        m.put("ss_num_reg_images", "0");
        m.put("ss_num_batches_per_epoch", Integer.toString(batchesPerEpoch));
        m.put("ss_num_epochs", Long.toString(epochs));
        m.put("ss_epoch", Integer.toString(p.epoch()));
        m.put("ss_steps", Long.toString(p.step()));
        m.put("ss_max_train_steps", Long.toString(p.totalSteps()));
        m.put("ss_gradient_checkpointing", p.gradientCheckpointing() ? "True" : "False");
        m.put("ss_gradient_accumulation_steps", Integer.toString(r.gradientAccumulation()));
        m.put("ss_lr_warmup_steps", Integer.toString(r.warmupSteps()));
        m.put("ss_lr_scheduler", r.lrSchedule());
        m.put("ss_network_module", "networks.lora");
        m.put("ss_network_dim", Integer.toString(network.linear().rank()));
        m.put("ss_network_alpha", python(network.linear().alpha()));
        m.put("ss_network_train_unet_only", r.lora().trainTextEncoder() ? "False" : "True");
        m.put("ss_mixed_precision", "no");
        m.put("ss_full_fp16", "False");
        m.put("ss_v2", p.family() == TrainingProvenance.Family.SD2 || p.family() == TrainingProvenance.Family.SD2_V
                ? "True" : "False");
        m.put("ss_base_model_version", p.family().kohyaVersion);
        m.put("ss_cache_latents", "True");
        m.put("ss_seed", Long.toString(r.seed()));
        m.put("ss_noise_offset", r.noiseOffset() > 0 ? python(r.noiseOffset()) : "None");
        m.put("ss_min_snr_gamma", r.minSnrGamma() > 0 ? python(r.minSnrGamma()) : "None");
        m.put("ss_max_grad_norm", python(r.maxGradNorm()));
        m.put("ss_caption_dropout_rate", python(d.captionDropout()));
        m.put("ss_optimizer", "torch.optim.adamw.AdamW(betas=(" + python(r.optimizer().beta1()) + ", "
                + python(r.optimizer().beta2()) + "),eps=" + python(r.optimizer().eps()) + ",weight_decay="
                + python(r.optimizer().weightDecay()) + ")");
        m.put("ss_training_comment", "trained with Diffij " + p.version() + " (diffij.training_request holds the "
                + "whole request)");
        m.put("ss_batch_size_per_device", Integer.toString(r.batch()));
        m.put("ss_total_batch_size", Integer.toString(r.batch() * r.gradientAccumulation()));
        m.put("ss_resolution", "(" + d.resolution() + ", " + d.resolution() + ")");
        m.put("ss_color_aug", "False");
        m.put("ss_flip_aug", d.flip() ? "True" : "False");
        m.put("ss_random_crop", d.crop() == DataOptions.Crop.RANDOM ? "True" : "False");
        m.put("ss_shuffle_caption", d.shuffleCaptions() ? "True" : "False");
        m.put("ss_keep_tokens", Integer.toString(d.keepTokens()));
        m.put("ss_enable_bucket", d.bucketing() ? "True" : "False");
        m.put("ss_bucket_no_upscale", d.bucketing() ? "True" : "False");
        m.put("ss_min_bucket_reso", Integer.toString(d.minBucket()));
        m.put("ss_max_bucket_reso", Integer.toString(d.maxBucket()));
        m.put("ss_dataset_dirs", gson.toJson(p.datasetDirs()));
        m.put("ss_reg_dataset_dirs", "{}");
        m.put("ss_tag_frequency", gson.toJson(p.tagFrequency()));
        m.put("ss_sd_model_name", p.modelName());
        m.put("ss_bucket_info", gson.toJson(p.data().bucketInfo()));
        if (network.conv() != null) {
            // kohya parses network_args as key=value strings and records them as such.
            Map<String, String> args = new LinkedHashMap<>();
            args.put("conv_dim", Integer.toString(network.conv().rank()));
            args.put("conv_alpha", python(network.conv().alpha()));
            m.put("ss_network_args", gson.toJson(args));
        }
        if (Files.isRegularFile(p.model())) {
            m.put("ss_sd_model_hash", ModelHash.legacy(p.model()));
            m.put("ss_new_sd_model_hash", p.modelHash());
        }
        // kohya names Stability AI's implementation for SDXL adapters, diffusers for SD 1.x/2.x ones.
        m.putAll(p.modelSpec("lora", p.family() == TrainingProvenance.Family.SDXL
                ? TrainingProvenance.STABILITY_IMPLEMENTATION : "diffusers", title));
        return m;
    }

    /**
     * A kohya file: the hashes sd-webui-additional-networks indexes by are taken, as kohya takes
     * them, over the file with only its {@code ss_*} keys (so that editing other metadata keeps them).
     */
    private static void writeKohya(Path file, Map<String, HostTensor> tensors, Map<String, String> kohya,
            Map<String, String> ours) {
        Map<String, String> training = new LinkedHashMap<>();
        kohya.forEach((key, value) -> {
            if (key.startsWith("ss_")) {
                training.put(key, value);
            }
        });
        String[] hashes;
        Path hashed = null;
        try {
            hashed = Files.createTempFile("diffij-kohya-hash", EXTENSION);
            SafetensorsWriter.write(hashed, tensors, training);
            hashes = ModelHash.addnetHashes(hashed);
        } catch (IOException e) {
            throw new DiffijException("cannot create a temporary file to hash " + file.getFileName() + " ("
                    + e.getMessage() + ")", e);
        } finally {
            deleteQuietly(hashed);
        }
        Map<String, String> metadata = new LinkedHashMap<>(kohya);
        metadata.put("sshs_model_hash", hashes[0]);
        metadata.put("sshs_legacy_hash", hashes[1]);
        metadata.putAll(ours);
        SafetensorsWriter.write(file, tensors, metadata);
    }

    /** A number as Python's {@code str} writes it: kohya's metadata holds every value as {@code str(value)}. */
    private static String python(double value) {
        return PickleTree.pythonFloat(value);
    }

    private static void deleteQuietly(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // A leftover temporary file in the system's temporary folder is harmless.
        }
    }
}
