package org.diffij.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.diffij.DiffijException;
import org.diffij.engine.DiffijEngine;
import org.diffij.io.HostTensor;
import org.diffij.io.Weights;
import org.diffij.models.Sd15Configs;
import org.diffij.models.ipadapter.CrossAttentionLayers;
import org.diffij.models.ipadapter.IpAdapter;
import org.diffij.models.unet.UNet2DConditionConfig;
import org.diffij.models.unet.UNet2DConditionModel;
import org.diffij.nn.DecoupledCrossAttention;
import org.diffij.nn.Kernels;
import org.diffij.nn.ParameterLoader;

/**
 * What an image prompt costs per denoising step: a full-size SD1.5 UNet (random weights) at batch
 * 2 and 32×32 latents, plain and with an IP-Adapter of SD1.5's shape (ViT-H embeddings, 4 tokens,
 * random weights) on all 16 cross-attention layers; and the one-off preparation of its branches.
 */
public final class IpAdapterBenchmark implements Benchmark {

    private static final int BATCH = 2;
    private static final int LATENT = 32;
    private static final int TOKENS = 77;
    private static final int IMAGE_EMBED_DIM = 1024;
    private static final int IMAGE_TOKENS = 4;

    @Override
    public String name() {
        return "ip_adapter";
    }

    @Override
    public String description() {
        return "SD1.5 UNet forward (random weights), batch 2, 32x32 latents, without and with an IP-Adapter";
    }

    @Override
    public void run(BenchOptions options, PrintStream out) throws Exception {
        DiffijEngine engine = DiffijEngine.get();
        DataType type = engine.computeType();
        out.println(engine.describe() + "; kernels " + Kernels.get().name());
        engine.queue().run("ip-adapter benchmark", ctx -> {
            NDManager m = ctx.manager();
            UNet2DConditionConfig config = Sd15Configs.unet();
            UNet2DConditionModel unet = new UNet2DConditionModel(config, ParameterLoader.random(m, type, "SD1.5 UNet"));
            IpAdapter adapter = IpAdapter.load(new RandomAdapterWeights(config, 1), "random SD1.5 IP-Adapter", m, type);
            NDArray embeds = m.randomNormal(new Shape(BATCH, IMAGE_EMBED_DIM)).toType(type, false);
            try {
                double[] prepare = Benchmarks.time(options, () -> {
                    try (NDManager scope = m.newSubManager()) {
                        embeds.tempAttach(scope);
                        return adapter.branches(config, adapter.imageTokens(embeds), 0.6f).size();
                    }
                });
                out.println(Benchmarks.line("ip-adapter tokens + 16 layers' k/v", prepare));
                var branches = adapter.branches(config, adapter.imageTokens(embeds), 0.6f);
                double[] plain = Benchmarks.time(options, () -> forward(m, unet, Map.of(), type));
                out.println(Benchmarks.line(label("plain"), plain));
                double[] prompted = Benchmarks.time(options, () -> forward(m, unet, branches, type));
                out.println(Benchmarks.line(label("with ip-adapter"), prompted));
                out.printf(Locale.ROOT, "image prompt overhead per step: %+.1f %%%n",
                        100 * (Benchmarks.median(prompted) / Benchmarks.median(plain) - 1));
            } catch (Exception e) {
                throw new DiffijException("ip-adapter benchmark failed: " + e.getMessage(), e);
            }
            return null;
        });
    }

    private static String label(String what) {
        return String.format(Locale.ROOT, "unet %dx%d, batch %d, %s", LATENT, LATENT, BATCH, what);
    }

    private static Void forward(NDManager parent, UNet2DConditionModel unet,
            Map<String, List<DecoupledCrossAttention.Branch>> branches, DataType type) {
        try (NDManager m = parent.newSubManager()) {
            NDArray sample = m.randomNormal(new Shape(BATCH, 4, LATENT, LATENT)).toType(type, false);
            NDArray context = m.randomNormal(new Shape(BATCH, TOKENS, unet.config().crossAttentionDim()[0]))
                    .toType(type, false);
            NDArray timestep = m.create(new float[] {500f}).toType(type, false);
            DecoupledCrossAttention.applying(branches, () -> unet.forward(sample, timestep, context)).toFloatArray();
        }
        return null;
    }

    /** Seeded random weights with the names and shapes of an IP-Adapter for {@code unet}, drawn when read. */
    private static final class RandomAdapterWeights implements Weights {

        private final Map<String, long[]> shapes = new LinkedHashMap<>();
        private final long seed;

        RandomAdapterWeights(UNet2DConditionConfig unet, long seed) {
            this.seed = seed;
            long cross = unet.crossAttentionDim()[0];
            shapes.put("image_proj.proj.weight", new long[] {IMAGE_TOKENS * cross, IMAGE_EMBED_DIM});
            shapes.put("image_proj.proj.bias", new long[] {IMAGE_TOKENS * cross});
            shapes.put("image_proj.norm.weight", new long[] {cross});
            shapes.put("image_proj.norm.bias", new long[] {cross});
            List<CrossAttentionLayers.Layer> layers = CrossAttentionLayers.of(unet);
            for (int i = 0; i < layers.size(); i++) {
                String p = "ip_adapter." + CrossAttentionLayers.adapterKey(i) + ".";
                long[] shape = {layers.get(i).innerDim(), layers.get(i).crossAttentionDim()};
                shapes.put(p + "to_k_ip.weight", shape);
                shapes.put(p + "to_v_ip.weight", shape);
            }
        }

        @Override
        public Set<String> names() {
            return shapes.keySet();
        }

        @Override
        public HostTensor read(String name) {
            long[] shape = shapes.get(name);
            SplittableRandom random = new SplittableRandom(seed ^ name.hashCode());
            float[] values = new float[(int) HostTensor.numel(shape)];
            // Uniform with variance 1 / fan_in for matrices; norm scales 1, biases 0.
            if (shape.length == 2) {
                double bound = Math.sqrt(3.0 / shape[1]);
                for (int i = 0; i < values.length; i++) {
                    values[i] = (float) random.nextDouble(-bound, bound);
                }
            } else if (name.endsWith("norm.weight")) {
                Arrays.fill(values, 1f);
            }
            return HostTensor.ofFloats(values, shape);
        }
    }
}
