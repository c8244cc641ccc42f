package org.diffij.models.ipadapter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.core.Linear;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.diffij.DiffijException;
import org.diffij.engine.CachedModel;
import org.diffij.engine.JobContext;
import org.diffij.engine.Tensors;
import org.diffij.io.HostTensor;
import org.diffij.io.WeightSet;
import org.diffij.io.Weights;
import org.diffij.models.unet.UNet2DConditionConfig;
import org.diffij.nn.DecoupledCrossAttention;

/**
 * An IP-Adapter file ({@code ip-adapter_sd15.safetensors}): the {@link ImageProjection} that turns
 * CLIP image embeddings into image-prompt tokens, and per UNet cross-attention layer the
 * {@code to_k_ip} / {@code to_v_ip} projections of those tokens. It never changes the UNet: it
 * yields {@link DecoupledCrossAttention} branches that a forward pass applies at a scale.
 */
public final class IpAdapter implements CachedModel {

    private static final Pattern LAYER_KEY = Pattern.compile("ip_adapter\\.(\\d{1,6})\\.(to_k_ip|to_v_ip)\\.weight");
    private static final List<String> PROJECTION_KEYS = List.of("image_proj.proj.weight", "image_proj.proj.bias",
            "image_proj.norm.weight", "image_proj.norm.bias");
    private static final int NAMES_SHOWN = 5;

    private record KeyValue(NDArray toKIp, NDArray toVIp) {
    }

    private final String source;
    private final ImageProjection projection;
    private final List<KeyValue> layers;
    private final long bytes;

    private IpAdapter(String source, ImageProjection projection, List<KeyValue> layers, long bytes) {
        this.source = source;
        this.projection = projection;
        this.layers = layers;
        this.bytes = bytes;
    }

    /** Reads an IP-Adapter file (safetensors, or the torch pickle {@code ip-adapter_sd15.bin}) into {@code manager} (typically a model-cache scope). */
    public static IpAdapter load(Path file, NDManager manager, DataType dtype) {
        if (!Files.isRegularFile(file)) {
            throw new DiffijException(file + ": no such IP-Adapter file");
        }
        try (WeightSet weights = WeightSet.open(file)) {
            return load(weights, file.getFileName().toString(), manager, dtype);
        }
    }

    /**
     * An adapter file through the engine's model cache: loaded once per file and compute dtype,
     * pinned while the job runs.
     */
    public static IpAdapter cached(JobContext ctx, Path file) {
        DataType type = ctx.engine().computeType();
        return ctx.model("ip-adapter:" + file.toAbsolutePath().normalize() + ":" + type, m -> load(file, m, type));
    }

    /** An adapter from any weights under the file's names; {@code source} names it in messages. */
    public static IpAdapter load(Weights weights, String source, NDManager manager, DataType dtype) {
        TreeMap<Integer, HostTensor[]> byKey = new TreeMap<>();
        List<String> unknown = new ArrayList<>();
        for (String name : new TreeSet<>(weights.names())) {
            Matcher m = LAYER_KEY.matcher(name);
            if (m.matches()) {
                byKey.computeIfAbsent(Integer.parseInt(m.group(1)), k -> new HostTensor[2])
                        [m.group(2).equals("to_k_ip") ? 0 : 1] = weights.read(name);
            } else if (!PROJECTION_KEYS.contains(name)) {
                unknown.add(name);
            }
        }
        if (!unknown.isEmpty()) {
            throw new DiffijException(source + ": keys of no plain IP-Adapter (" + shown(unknown) + "); only "
                    + "IP-Adapters with an ImageProjection (image_proj.proj / image_proj.norm) are supported, not "
                    + "Plus, FaceID or other variants");
        }
        for (String name : PROJECTION_KEYS) {
            if (!weights.contains(name)) {
                throw new DiffijException(source + ": lacks '" + name + "'; it is not an IP-Adapter file");
            }
        }
        if (byKey.isEmpty()) {
            throw new DiffijException(source + ": has no ip_adapter.<N>.to_k_ip / to_v_ip weights; it is not an "
                    + "IP-Adapter file");
        }
        List<NDArray> loaded = new ArrayList<>();
        ImageProjection projection = new ImageProjection(
                array(weights, "image_proj.proj.weight", manager, dtype, loaded, source),
                array(weights, "image_proj.proj.bias", manager, dtype, loaded, source),
                array(weights, "image_proj.norm.weight", manager, dtype, loaded, source),
                array(weights, "image_proj.norm.bias", manager, dtype, loaded, source), source);
        List<KeyValue> layers = new ArrayList<>();
        int index = 0;
        for (Map.Entry<Integer, HostTensor[]> e : byKey.entrySet()) {
            int expected = CrossAttentionLayers.adapterKey(index);
            if (e.getKey() != expected) {
                throw new DiffijException(source + ": cross-attention layers are numbered " + byKey.keySet()
                        + " but must be 1, 3, 5, ... without gaps (ip_adapter." + expected + " is missing)");
            }
            HostTensor k = e.getValue()[0];
            HostTensor v = e.getValue()[1];
            if (k == null || v == null) {
                throw new DiffijException(source + ": ip_adapter." + e.getKey() + " lacks its "
                        + (k == null ? "to_k_ip" : "to_v_ip") + " weight");
            }
            if (k.shape().length != 2 || !Arrays.equals(k.shape(), v.shape())
                    || k.shape()[1] != projection.crossAttentionDim()) {
                throw new DiffijException(source + ": ip_adapter." + e.getKey() + " has to_k_ip "
                        + Arrays.toString(k.shape()) + " and to_v_ip " + Arrays.toString(v.shape()) + "; both must be "
                        + "[inner, " + projection.crossAttentionDim() + "] for the image_proj's token width");
            }
            layers.add(new KeyValue(array(k, "ip_adapter." + e.getKey() + ".to_k_ip.weight", manager, dtype, loaded,
                    source), array(v, "ip_adapter." + e.getKey() + ".to_v_ip.weight", manager, dtype, loaded, source)));
            index++;
        }
        long bytes = loaded.stream().mapToLong(a -> a.size() * dtype.getNumOfBytes()).sum();
        return new IpAdapter(source, projection, List.copyOf(layers), bytes);
    }

    private static NDArray array(Weights weights, String name, NDManager manager, DataType dtype,
            List<NDArray> loaded, String source) {
        return array(weights.read(name), name, manager, dtype, loaded, source);
    }

    /** A tensor on the engine once its values are checked (before anything computes with them). */
    private static NDArray array(HostTensor tensor, String name, NDManager manager, DataType dtype,
            List<NDArray> loaded, String source) {
        String values = tensor.valueProblem(HostTensor.FLOAT16_MAX);
        if (values != null) {
            throw new DiffijException(source + ": '" + name + "' " + values);
        }
        NDArray array = Tensors.toNDArray(manager, tensor, dtype);
        loaded.add(array);
        return array;
    }

    /** The h94/IP-Adapter layout: {@code image_encoder/} next to the adapter file. */
    public static Path imageEncoderFolder(Path adapterFile) {
        Path folder = adapterFile.toAbsolutePath().getParent().resolve("image_encoder");
        if (!Files.isDirectory(folder)) {
            throw new DiffijException(adapterFile + ": no image_encoder/ folder next to it; put the adapter's CLIP "
                    + "image encoder there (h94/IP-Adapter layout)");
        }
        return folder;
    }

    @Override
    public long sizeBytes() {
        return bytes;
    }

    /** Width of the image embeddings the adapter takes ({@code projection_dim} of its image encoder). */
    public long imageEmbedDim() {
        return projection.embedDim();
    }

    /**
     * Image-prompt tokens for {@code imageEmbeds (batch, embedDim)} or {@code (batch, images, embedDim)}:
     * {@code (batch, images, tokens, cross_attention_dim)}.
     */
    public NDArray imageTokens(NDArray imageEmbeds) {
        long[] s = imageEmbeds.getShape().getShape();
        if ((s.length != 2 && s.length != 3) || s[s.length - 1] != projection.embedDim()) {
            throw new DiffijException(source + ": image embeddings have shape " + imageEmbeds.getShape()
                    + "; expected (batch, [images,] " + projection.embedDim() + "); is the image encoder the "
                    + "adapter's own?");
        }
        return projection.forward(s.length == 2 ? imageEmbeds.expandDims(1) : imageEmbeds);
    }

    /**
     * The branches a UNet forward applies (see {@link DecoupledCrossAttention#applying}): each
     * cross-attention layer's keys and values of {@code imageTokens} (the UNet's batch), at {@code scale}.
     * Scale 0 gives none, as diffusers skips the image attention then.
     */
    public Map<String, List<DecoupledCrossAttention.Branch>> branches(UNet2DConditionConfig unet,
            NDArray imageTokens, float scale) {
        List<CrossAttentionLayers.Layer> targets = CrossAttentionLayers.of(unet);
        if (targets.size() != layers.size()) {
            throw new DiffijException(source + ": has " + layers.size() + " cross-attention layers but the UNet has "
                    + targets.size() + "; the IP-Adapter belongs to another base model");
        }
        for (int i = 0; i < targets.size(); i++) {
            CrossAttentionLayers.Layer target = targets.get(i);
            long[] k = layers.get(i).toKIp().getShape().getShape();
            if (k[0] != target.innerDim() || k[1] != target.crossAttentionDim()) {
                throw new DiffijException(source + ": ip_adapter." + CrossAttentionLayers.adapterKey(i) + " is "
                        + Arrays.toString(k) + " but UNet layer " + target.module() + " needs [" + target.innerDim()
                        + ", " + target.crossAttentionDim() + "]; the IP-Adapter belongs to another base model");
            }
        }
        Map<String, List<DecoupledCrossAttention.Branch>> branches = new LinkedHashMap<>();
        if (scale == 0) {
            return branches;
        }
        long[] s = imageTokens.getShape().getShape();
        if (s.length != 4 || s[3] != projection.crossAttentionDim()) {
            throw new DiffijException(source + ": image-prompt tokens have shape " + imageTokens.getShape()
                    + "; expected (batch, images, tokens, " + projection.crossAttentionDim() + ") from imageTokens");
        }
        NDArray tokens = imageTokens.reshape(s[0], s[1] * s[2], s[3]);
        for (int i = 0; i < targets.size(); i++) {
            CrossAttentionLayers.Layer target = targets.get(i);
            KeyValue kv = layers.get(i);
            branches.put(target.module(), List.of(new DecoupledCrossAttention.Branch(
                    heads(Linear.linear(tokens, kv.toKIp()).singletonOrThrow(), target.heads()),
                    heads(Linear.linear(tokens, kv.toVIp()).singletonOrThrow(), target.heads()), scale)));
        }
        return branches;
    }

    /** {@code (batch, tokens, inner)} → {@code (batch, heads, tokens, inner / heads)}. */
    private static NDArray heads(NDArray x, int heads) {
        long[] s = x.getShape().getShape();
        return x.reshape(s[0], s[1], heads, s[2] / heads).transpose(0, 2, 1, 3);
    }

    private static String shown(List<String> names) {
        return String.join(", ", names.subList(0, Math.min(NAMES_SHOWN, names.size())))
                + (names.size() > NAMES_SHOWN ? ", ..." : "");
    }
}
