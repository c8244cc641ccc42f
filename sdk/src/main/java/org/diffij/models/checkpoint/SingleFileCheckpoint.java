package org.diffij.models.checkpoint;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.TreeMap;
import java.util.function.Function;
import ai.djl.ndarray.NDArray;
import org.diffij.DiffijException;
import org.diffij.engine.Tensors;
import org.diffij.io.HostTensor;
import org.diffij.io.SafetensorsWriter;
import org.diffij.nn.ParameterTree;
import org.diffij.io.ModelFolder;
import org.diffij.io.WeightSet;
import org.diffij.io.Weights;
import org.diffij.models.ConfigReader;
import org.diffij.models.clip.ClipTextConfig;
import org.diffij.models.unet.UNet2DConditionConfig;
import org.diffij.models.vae.AutoencoderKLConfig;

/**
 * An original LDM / A1111 / Civitai checkpoint in one safetensors file, seen as diffusers
 * components: {@link #component(String)} gives {@code unet}, {@code vae}, {@code text_encoder} (and
 * SDXL's {@code text_encoder_2}) as renamed {@link Weights} that the diffusers-named models load
 * directly. The renaming follows the architecture detected from the keys and the component configs
 * (layers per block, text layers).
 */
public final class SingleFileCheckpoint implements AutoCloseable {

    static final String UNET_PREFIX = "model.diffusion_model.";
    static final String VAE_PREFIX = "first_stage_model.";

    private final WeightSet file;
    private final CheckpointArchitecture architecture;
    private final Map<String, RenamedWeights> components = new LinkedHashMap<>();
    private final Set<String> ignored = new TreeSet<>();

    private SingleFileCheckpoint(WeightSet file, CheckpointArchitecture architecture) {
        this.file = file;
        this.architecture = architecture;
    }

    /**
     * @param unetConfig, vaeConfig the configs the checkpoint's weights belong to
     * @param textLayers transformer layers of each text encoder config ({@code text_encoder},
     *     {@code text_encoder_2}); OpenCLIP layers beyond them are not used
     */
    public static SingleFileCheckpoint open(Path path, UNet2DConditionConfig unetConfig, AutoencoderKLConfig vaeConfig,
            Map<String, Integer> textLayers) {
        WeightSet file = WeightSet.open(path);
        try {
            CheckpointArchitecture architecture = CheckpointArchitecture.detect(file.names(), path.toString());
            SingleFileCheckpoint checkpoint = new SingleFileCheckpoint(file, architecture);
            checkpoint.map(path, unetConfig, vaeConfig, textLayers);
            return checkpoint;
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /** Opens the checkpoint with the component configs of a diffusers folder of the same architecture. */
    public static SingleFileCheckpoint open(Path path, Path configFolder) {
        ModelFolder folder = ModelFolder.open(configFolder);
        Map<String, Integer> textLayers = new LinkedHashMap<>();
        for (String name : List.of("text_encoder", "text_encoder_2")) {
            if (folder.components().containsKey(name)) {
                textLayers.put(name, new ConfigReader(folder.component(name).config(),
                        folder.component(name).folder().toString()).requiredInteger("num_hidden_layers", 1,
                                ClipTextConfig.MAX_LAYERS));
            }
        }
        return open(path, UNet2DConditionConfig.from(folder.component("unet").config(),
                folder.component("unet").folder().toString()), AutoencoderKLConfig.from(folder.component("vae").config(),
                folder.component("vae").folder().toString()), textLayers);
    }

    private void map(Path path, UNet2DConditionConfig unetConfig, AutoencoderKLConfig vaeConfig,
            Map<String, Integer> textLayers) {
        LdmUNetNames unet = new LdmUNetNames(unetConfig);
        LdmVaeNames vae = new LdmVaeNames(vaeConfig.blockOutChannels().length);
        Map<String, Map<String, RenamedWeights.Source>> sources = new LinkedHashMap<>();
        List<String> unmapped = new ArrayList<>();
        String clipPrefix = architecture == CheckpointArchitecture.SDXL ? "conditioner.embedders.0.transformer."
                : "cond_stage_model.transformer.";
        String openClipPrefix = architecture == CheckpointArchitecture.SDXL ? "conditioner.embedders.1.model."
                : "cond_stage_model.model.";
        String openClipComponent = architecture == CheckpointArchitecture.SDXL ? "text_encoder_2" : "text_encoder";
        OpenClipNames openClip = new OpenClipNames(textLayers.getOrDefault(openClipComponent, Integer.MAX_VALUE));
        for (String key : file.names()) {
            if (key.startsWith(UNET_PREFIX)) {
                String name = unet.rename(key.substring(UNET_PREFIX.length()));
                put(sources, unmapped, "unet", name, key, TensorTransform.NONE);
            } else if (key.startsWith(VAE_PREFIX)) {
                String name = vae.rename(key.substring(VAE_PREFIX.length()));
                put(sources, unmapped, "vae", name, key, name != null && LdmVaeNames.isAttentionProjection(name)
                        ? TensorTransform.CONV_TO_LINEAR : TensorTransform.NONE);
            } else if (key.startsWith(clipPrefix)) {
                String name = key.substring(clipPrefix.length());
                if (name.endsWith("position_ids")) {
                    ignored.add(key);
                } else {
                    put(sources, unmapped, "text_encoder", name.startsWith("text_model.") ? name : null, key,
                            TensorTransform.NONE);
                }
            } else if (key.startsWith(openClipPrefix)) {
                List<OpenClipNames.Renamed> renamed = openClip.rename(key.substring(openClipPrefix.length()),
                        architecture == CheckpointArchitecture.SDXL);
                if (renamed.isEmpty()) {
                    ignored.add(key);
                }
                for (OpenClipNames.Renamed r : renamed) {
                    put(sources, unmapped, openClipComponent, r.name(), key, r.transform());
                }
            } else {
                ignored.add(key);
            }
        }
        if (!unmapped.isEmpty()) {
            throw new DiffijException(path + ": " + unmapped.size() + " " + architecture + " keys have no diffusers "
                    + "counterpart (" + String.join(", ", unmapped.subList(0, Math.min(20, unmapped.size())))
                    + "); is this checkpoint of another architecture than its config?");
        }
        sources.forEach((component, map) -> components.put(component, new RenamedWeights(file, map)));
    }

    private static void put(Map<String, Map<String, RenamedWeights.Source>> sources, List<String> unmapped,
            String component, String name, String key, TensorTransform transform) {
        if (name == null) {
            unmapped.add(key);
            return;
        }
        sources.computeIfAbsent(component, c -> new LinkedHashMap<>())
                .put(name, new RenamedWeights.Source(key, transform));
    }

    public CheckpointArchitecture architecture() {
        return architecture;
    }

    /** The components present: {@code unet}, {@code vae}, {@code text_encoder}, {@code text_encoder_2}. */
    public Set<String> components() {
        return components.keySet();
    }

    /** One component's weights under diffusers names. */
    public RenamedWeights component(String name) {
        RenamedWeights weights = components.get(name);
        if (weights == null) {
            throw new DiffijException("the " + architecture + " checkpoint has no " + name + " (it has "
                    + components.keySet() + ")");
        }
        return weights;
    }

    /** Stored keys no component uses (DDPM schedule buffers, EMA copies, position ids, ...). */
    public Set<String> ignoredKeys() {
        return ignored;
    }

    /**
     * Writes {@code parameters} (component name → that component's parameter tree, e.g. a fine-tuned
     * UNet and the base text encoder) as a single-file checkpoint in this checkpoint's own LDM layout:
     * every stored name this checkpoint maps gets its current value through the inverse of its
     * renaming (fused OpenCLIP {@code in_proj} tensors are rebuilt from their three parts); the keys no
     * component uses (schedule buffers, position ids) are copied as they are. A1111, ComfyUI and this
     * loader read the result.
     */
    public void write(Path target, Map<String, ParameterTree> parameters, Map<String, String> metadata) {
        StoredTensors out = new StoredTensors();
        components.forEach((component, renamed) -> {
            ParameterTree tree = parameters.get(component);
            if (tree == null) {
                throw new DiffijException("no parameters given for the checkpoint's " + component);
            }
            renamed.sources().forEach((name, source) -> out.put(source, Tensors.toHost(tree.get(name)),
                    file.info(source.storedName()).shape()));
        });
        for (String key : ignored) {
            out.tensors.put(key, file.read(key));
        }
        SafetensorsWriter.write(target, out.complete(), metadata);
    }

    /**
     * Writes diffusers-named components ({@code unet}, {@code vae}, {@code text_encoder} and SDXL's
     * {@code text_encoder_2} → their parameter trees) as a new single-file checkpoint in the original
     * LDM layout of {@code architecture}, the inverse of what {@link #open} reads: UNet and VAE names
     * through the inverse renaming tables, the transformers CLIP under its prefix, an OpenCLIP tower
     * (SD 2.x, SDXL's second encoder) with q, k and v fused into {@code in_proj} and the projection
     * transposed. A1111, ComfyUI and this loader read the result.
     */
    public static void writeNew(Path target, CheckpointArchitecture architecture, Map<String, ParameterTree> parameters,
            Map<String, String> metadata) {
        StoredTensors out = new StoredTensors();
        for (Map.Entry<String, ParameterTree> component : parameters.entrySet()) {
            Map<String, NDArray> named = component.getValue().named();
            Function<String, RenamedWeights.Source> stored = switch (component.getKey()) {
                case "unet" -> {
                    LdmUNetNames unet = LdmUNetNames.ofWeightNames(named.keySet());
                    yield name -> source(UNET_PREFIX, unet.ldmName(name), TensorTransform.NONE);
                }
                case "vae" -> {
                    LdmVaeNames vae = new LdmVaeNames((int) named.keySet().stream().filter(n -> n.matches(
                            "encoder\\.down_blocks\\.\\d+\\.resnets\\.0\\.conv1\\.weight")).count());
                    yield name -> {
                        String ldm = vae.ldmName(name);
                        return source(VAE_PREFIX, ldm, ldm != null && LdmVaeNames.isAttentionProjection(name)
                                ? TensorTransform.CONV_TO_LINEAR : TensorTransform.NONE);
                    };
                }
                case "text_encoder", "text_encoder_2" -> textEncoderSource(architecture, component.getKey());
                default -> throw new DiffijException("a single-file checkpoint has no place for a component '"
                        + component.getKey() + "'");
            };
            named.forEach((name, value) -> {
                RenamedWeights.Source source = stored.apply(name);
                if (source == null) {
                    throw new DiffijException(component.getKey() + "." + name + " has no name in the " + architecture
                            + " single-file layout; is the model of another architecture?");
                }
                HostTensor host = Tensors.toHost(value);
                TensorTransform transform = source.transform();
                out.put(source, host, transform.isThird() ? null : transform.storedShape(host.shape()));
            });
        }
        SafetensorsWriter.write(target, out.complete(), metadata);
    }

    private static Function<String, RenamedWeights.Source> textEncoderSource(CheckpointArchitecture architecture,
            String component) {
        boolean xl = architecture == CheckpointArchitecture.SDXL;
        if (component.equals("text_encoder") && architecture != CheckpointArchitecture.SD2) {
            String prefix = xl ? "conditioner.embedders.0.transformer." : "cond_stage_model.transformer.";
            return name -> source(prefix, name, TensorTransform.NONE);
        }
        if (component.equals("text_encoder_2") && !xl) {
            return name -> null;
        }
        String prefix = xl ? "conditioner.embedders.1.model." : "cond_stage_model.model.";
        OpenClipNames openClip = new OpenClipNames(Integer.MAX_VALUE);
        return name -> {
            OpenClipNames.Renamed renamed = openClip.stored(name, xl);
            return renamed == null ? null : source(prefix, renamed.name(), renamed.transform());
        };
    }

    private static RenamedWeights.Source source(String prefix, String name, TensorTransform transform) {
        return name == null ? null : new RenamedWeights.Source(prefix + name, transform);
    }

    /** Stored tensors being assembled: most go in as they are, the thirds of a fused projection wait for each other. */
    private static final class StoredTensors {
        final Map<String, HostTensor> tensors = new TreeMap<>();
        final Map<String, HostTensor[]> fused = new TreeMap<>();

        void put(RenamedWeights.Source source, HostTensor value, long[] storedShape) {
            switch (source.transform()) {
                case FIRST_THIRD, SECOND_THIRD, LAST_THIRD -> fused.computeIfAbsent(source.storedName(),
                        k -> new HostTensor[3])[source.transform().ordinal() - TensorTransform.FIRST_THIRD.ordinal()]
                        = value;
                default -> tensors.put(source.storedName(), source.transform().invert(value, storedShape));
            }
        }

        Map<String, HostTensor> complete() {
            fused.forEach((name, parts) -> tensors.put(name, TensorTransform.concatenateThirds(name, parts)));
            fused.clear();
            return tensors;
        }
    }

    @Override
    public void close() {
        file.close();
    }
}
